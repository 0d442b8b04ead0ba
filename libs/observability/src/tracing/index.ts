/**
 * `@ihf/observability/tracing`: the OpenTelemetry SDK start-up, kept out of the package's
 * main entry so that a service loads it first (see each service's `src/tracing.ts`).
 */
export * from './tracing.js';
