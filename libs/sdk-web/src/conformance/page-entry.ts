// Bundled as an IIFE that the conformance checker (bin/ihf-sdk-check.mjs) injects into the
// page under test; it exposes the same check the SDK's development mode runs.
import type { EnvelopeContract } from '../contract.js';
import { checkConformance } from './check.js';

(globalThis as { __ihfConformance?: unknown }).__ihfConformance = (contract?: EnvelopeContract) =>
  checkConformance(document, contract);
