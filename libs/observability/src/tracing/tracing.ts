import { NodeSDK } from '@opentelemetry/sdk-node';
import { type SpanProcessor } from '@opentelemetry/sdk-trace';
import { HttpInstrumentation } from '@opentelemetry/instrumentation-http';
import { PgInstrumentation } from '@opentelemetry/instrumentation-pg';
import { FastifyOtelInstrumentation } from '@fastify/otel';

/** Paths never traced: probes and scrapes every few seconds would drown the real traces. */
export const UNTRACED_PATHS: readonly string[] = ['/health/live', '/health/ready', '/metrics'];

/**
 * Is tracing asked for by the standard OpenTelemetry variables? Yes when a trace exporter or
 * an OTLP endpoint is named (`OTEL_TRACES_EXPORTER` other than `none`,
 * `OTEL_EXPORTER_OTLP_ENDPOINT`, `OTEL_EXPORTER_OTLP_TRACES_ENDPOINT`), unless
 * `OTEL_SDK_DISABLED=true`. Otherwise no SDK is started: the OpenTelemetry API stays a no-op
 * and no span, header or envelope field is ever written.
 */
export function tracingRequested(env: NodeJS.ProcessEnv = process.env): boolean {
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') return false;
  const exporters = (env.OTEL_TRACES_EXPORTER ?? '')
    .split(',')
    .map((e) => e.trim())
    .filter(Boolean);
  if (exporters.includes('none')) return false;
  return (
    exporters.length > 0 ||
    Boolean(env.OTEL_EXPORTER_OTLP_ENDPOINT?.trim()) ||
    Boolean(env.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT?.trim())
  );
}

/** Options of {@link startTracing}. */
export interface TracingOptions {
  /** `service.name` of the spans, unless `OTEL_SERVICE_NAME` names another. */
  readonly service: string;
  /**
   * Span processors to use instead of the exporter the `OTEL_*` variables configure (tests
   * pass an in-memory exporter); tracing then starts whatever the environment says.
   */
  readonly spanProcessors?: SpanProcessor[];
  readonly env?: NodeJS.ProcessEnv;
}

/** A started SDK; `shutdown` flushes the spans still buffered. */
export interface TracingHandle {
  shutdown(): Promise<void>;
}

let started: TracingHandle | undefined;

/**
 * Starts OpenTelemetry tracing for this process, when {@link tracingRequested} (or when span
 * processors are given): the Node SDK with the HTTP (client and server), Fastify and pg
 * instrumentations, W3C trace-context propagation, and the exporter and sampler the standard
 * variables set (`OTEL_EXPORTER_OTLP_*`, `OTEL_TRACES_SAMPLER`, `OTEL_TRACES_SAMPLER_ARG`;
 * the SDK's default is `parentbased_always_on`). Metrics stay with prom-client (`/metrics`)
 * and logs with pino, so the SDK exports neither.
 *
 * Must run before the modules it instruments load (http, fastify, pg): each service's
 * `main.ts` imports its `tracing.ts` first. Calling it again returns the first handle.
 */
export function startTracing(options: TracingOptions): TracingHandle | undefined {
  if (started) return started;
  const env = options.env ?? process.env;
  if (!options.spanProcessors && !tracingRequested(env)) return undefined;
  const ignored = new Set(UNTRACED_PATHS);
  const instrumentations = [
    new HttpInstrumentation({
      ignoreIncomingRequestHook: (req) => ignored.has((req.url ?? '').split('?')[0]),
    }),
    new FastifyOtelInstrumentation({
      registerOnInitialization: true,
      ignorePaths: (route) => ignored.has(route.url.split('?')[0]),
    }),
    new PgInstrumentation({ requireParentSpan: true }),
  ];
  const sdk = new NodeSDK({
    serviceName: env.OTEL_SERVICE_NAME?.trim() || options.service,
    ...(options.spanProcessors ? { spanProcessors: options.spanProcessors } : {}),
    metricReaders: [],
    logRecordProcessors: [],
    instrumentations,
  });
  sdk.start();
  const handle: TracingHandle = {
    shutdown: async () => {
      started = undefined;
      await sdk.shutdown();
      // The SDK's shutdown leaves the instrumentations in place: the Fastify one stays
      // subscribed to every new Fastify instance of the process (a test process starts many)
      // and would register itself twice on the next one.
      for (const instrumentation of instrumentations) instrumentation.disable();
    },
  };
  started = handle;
  // Flush what is buffered when the process is asked to stop (the services' own shutdown
  // hooks close the app; this runs beside them).
  process.once('SIGTERM', () => void handle.shutdown().catch(() => undefined));
  return handle;
}
