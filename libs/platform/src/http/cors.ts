import type { FastifyAdapter } from '@nestjs/platform-fastify';

/** Request headers a browser client may send (the SDK and API clients use these). */
const ALLOWED_HEADERS =
  'authorization, content-type, content-encoding, x-request-id, x-correlation-id';
/** Response headers a browser client may read: back-off hints and the ids to quote in a report. */
const EXPOSED_HEADERS = 'retry-after, x-request-id, x-correlation-id, location';
const ALLOWED_METHODS = 'GET, POST, PUT, PATCH, DELETE, OPTIONS';

/** Parses `CORS_ALLOWED_ORIGINS`: `*`, a comma-separated list of origins, or empty (off). */
export function parseAllowedOrigins(value: string): '*' | ReadonlySet<string> | undefined {
  const trimmed = value.trim();
  if (!trimmed) return undefined;
  if (trimmed === '*') return '*';
  return new Set(
    trimmed
      .split(',')
      .map((o) => o.trim().replace(/\/$/, ''))
      .filter(Boolean),
  );
}

/**
 * CORS for browser clients on other origins (external UIs posting events and annotations).
 * Answers preflights itself, before routing and authentication (a preflight carries no
 * credentials), and adds the headers to every answer, errors and 429/503 included, so that a
 * page can read the status and `Retry-After`. No cookies are used, so no credentials mode.
 */
export function registerCors(adapter: FastifyAdapter, allowed: '*' | ReadonlySet<string>): void {
  const allowOrigin = (origin: string | undefined): string | undefined => {
    if (!origin) return undefined;
    if (allowed === '*') return '*';
    return allowed.has(origin) ? origin : undefined;
  };
  adapter.getInstance().addHook('onRequest', (request, reply, done) => {
    const origin = allowOrigin(request.headers.origin);
    if (origin) {
      void reply.header('access-control-allow-origin', origin);
      void reply.header('access-control-expose-headers', EXPOSED_HEADERS);
      if (allowed !== '*') void reply.header('vary', 'Origin');
    }
    const preflight =
      request.method === 'OPTIONS' && request.headers['access-control-request-method'];
    if (!preflight) return done();
    if (origin) {
      void reply.header('access-control-allow-methods', ALLOWED_METHODS);
      void reply.header('access-control-allow-headers', ALLOWED_HEADERS);
      void reply.header('access-control-max-age', '600');
    }
    // An origin that is not allowed gets a bare 204: the browser then refuses the real request.
    void reply.code(204).send();
  });
}
