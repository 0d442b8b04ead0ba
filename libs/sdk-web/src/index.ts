/**
 * `@ihf/sdk-web`: reports interactions on IHF widgets from any web page (framework-free core).
 * Bindings: `@ihf/sdk-web/react`, `/vue`, `/web-component`; feedback UI: `/annotate`.
 */
export { createTracker, type CapturedEvent, type Tracker, type TrackerOptions } from './tracker.js';
export {
  ENVELOPE_CONTRACT_V1,
  contractAttributes,
  readWidget,
  validateElement,
  type EnvelopeContract,
  type EnvelopeRule,
  type Violation,
  type WidgetIdentity,
} from './contract.js';
export {
  applyWidgetAttributes,
  widgetAttributes,
  type AdapterName,
  type WidgetDefinition,
} from './attributes.js';
export {
  EVENTS_PATH,
  type ActorType,
  type EventType,
  type IhfError,
  type InteractionEvent,
  type ReporterStats,
} from './reporter.js';
export { uuid } from './uuid.js';
