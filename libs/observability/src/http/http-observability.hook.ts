import { randomUUID } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Logger } from 'pino';
import {
  CORRELATION_HEADER,
  REQUEST_ID_HEADER,
  RequestContext,
  type RequestContextData,
} from '../context/request-context.js';
import { type MetricsService, UNMATCHED_ROUTE } from '../metrics/metrics.service.js';
import { trace } from '@opentelemetry/api';

/** An incoming id is kept only if it matches this: bounded, and safe to log and echo. */
export const INCOMING_ID_PATTERN = /^[A-Za-z0-9._:-]{1,128}$/;

/** Paths whose request lines are logged at `debug` (probes and scrapes every few seconds). */
const QUIET_PATHS = new Set(['/health/live', '/health/ready', '/metrics']);

/** The header value if it is one well-formed id (see {@link INCOMING_ID_PATTERN}). */
export function acceptIncomingId(value: string | string[] | undefined): string | undefined {
  return typeof value === 'string' && INCOMING_ID_PATTERN.test(value) ? value : undefined;
}

/**
 * The request context of an HTTP request: `x-request-id` and `x-correlation-id` when
 * well-formed, else a new UUID for the request id, and the request id as correlation id
 * (a request without one starts a new causal chain).
 */
export function contextFromHeaders(headers: FastifyRequest['headers']): RequestContextData {
  const requestId = acceptIncomingId(headers[REQUEST_ID_HEADER]) ?? randomUUID();
  const correlationId = acceptIncomingId(headers[CORRELATION_HEADER]) ?? requestId;
  return { requestId, correlationId };
}

/** Dependencies of {@link registerHttpObservability}. */
export interface HttpObservabilityDeps {
  readonly logger: Logger;
  readonly metrics: MetricsService;
}

/**
 * Adds the per-request observability hooks to a Fastify instance (call before the app
 * initialises, i.e. before routes are registered):
 *
 * - `onRequest`: builds the {@link RequestContext} from the headers, echoes both ids as
 *   response headers, and runs the rest of the request inside the context;
 * - `preValidation`: re-enters the context, because Fastify runs the handler from the
 *   request stream's `end` event, which loses the AsyncLocalStorage of `onRequest`;
 * - `onResponse`: one log line (method, route template, path, status, duration in ms; never
 *   the body, query string or headers) and one observation of the HTTP duration histogram.
 */
export function registerHttpObservability(
  fastify: FastifyInstance,
  { logger, metrics }: HttpObservabilityDeps,
): void {
  const contexts = new WeakMap<FastifyRequest, RequestContextData>();

  fastify.addHook('onRequest', (request, reply, done) => {
    const ctx = contextFromHeaders(request.headers);
    contexts.set(request, ctx);
    void reply.header(REQUEST_ID_HEADER, ctx.requestId);
    void reply.header(CORRELATION_HEADER, ctx.correlationId);
    // The request's span (when tracing) names the correlation id: logs and trace meet there.
    trace.getActiveSpan()?.setAttribute('ihf.correlation_id', ctx.correlationId);
    RequestContext.run(ctx, done);
  });

  fastify.addHook('preValidation', (request, _reply, done) => {
    const ctx = contexts.get(request);
    if (ctx) RequestContext.run(ctx, done);
    else done();
  });

  fastify.addHook('onResponse', (request, reply, done) => {
    const ctx = contexts.get(request);
    const route = routeOf(request);
    const status = reply.statusCode;
    const durationMs = Math.round(reply.elapsedTime * 100) / 100;
    metrics.httpRequestDuration.observe(
      { method: request.method, route, status_code: String(status) },
      reply.elapsedTime / 1000,
    );
    const path = pathOf(request);
    const line = {
      correlation_id: ctx?.correlationId,
      request_id: ctx?.requestId,
      method: request.method,
      route,
      path,
      status,
      duration_ms: durationMs,
    };
    // 503 is back-pressure (overload, a dependency down), answered by design and counted in
    // metrics; a warn line per refused request would flood the logs when it matters least.
    const level =
      QUIET_PATHS.has(path) && status < 400
        ? 'debug'
        : status >= 500 && status !== 503
          ? 'warn'
          : 'info';
    logger[level](line, 'Request completed');
    done();
  });
}

/** The route template Fastify matched (`/hubs/:id`), or {@link UNMATCHED_ROUTE}. */
function routeOf(request: FastifyRequest): string {
  // Fastify's not-found handler reports no url (or a wildcard); never label by raw URL.
  const url: string | undefined = request.routeOptions.url;
  return url && !request.is404 ? url : UNMATCHED_ROUTE;
}

function pathOf(request: FastifyRequest): string {
  const url = request.url;
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}
