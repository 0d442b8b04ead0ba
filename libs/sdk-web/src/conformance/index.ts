/** `@ihf/sdk-web/conformance`: checks a page's widget elements against the envelope contract. */
export {
  checkConformance,
  describeElement,
  type ConformanceReport,
  type ElementReport,
} from './check.js';
