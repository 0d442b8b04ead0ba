// The first import of main.ts: OpenTelemetry must patch http, fastify and pg before any module
// loads them. Tracing starts only when the standard OTEL_* variables ask for it (README,
// "Operating IHF"); otherwise this does nothing.
import { startTracing } from '@ihf/observability/tracing';

startTracing({ service: 'deployment-outcomes' });
