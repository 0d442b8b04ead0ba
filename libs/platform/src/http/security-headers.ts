import helmet from 'helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/** The helmet options of every service (helmet's defaults otherwise). */
const SECURITY_HEADER_OPTIONS = {
  crossOriginResourcePolicy: { policy: 'cross-origin' },
} as const;

/**
 * Security headers on every answer, errors included (helmet's defaults: `nosniff`, a
 * Content-Security-Policy that allows only same-origin scripts, which is what the Swagger UI at
 * `/docs` loads, `frame-ancestors 'self'` and `X-Frame-Options`, HSTS, …), and
 * `Cache-Control: no-store` unless a route sets its own.
 *
 * no-store is the default because API answers are per caller and several carry secrets (API
 * keys, agent credentials, tokens) that no browser or proxy cache may keep; the static assets
 * of the docs set their own caching.
 *
 * The Cross-Origin-Resource-Policy is `cross-origin`: the APIs are meant to be called from
 * other origins' pages (CORS decides which).
 *
 * helmet itself, in one `onRequest` hook, built once: the `@fastify/helmet` plugin (13.2)
 * built the whole helmet middleware again, Content-Security-Policy parsing included, for every
 * request: 2–3% of the ingestion service's busy CPU in a benchmark profile.
 */
export function registerSecurityHeaders(app: NestFastifyApplication): void {
  const setSecurityHeaders = helmet(SECURITY_HEADER_OPTIONS);
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (request, reply, done) => {
    // helmet sets the headers on the raw response and calls back synchronously; since 8.1 it
    // throws rather than passing an error on, and one passed on is not dropped either.
    setSecurityHeaders(request.raw, reply.raw, (error?: unknown) => {
      if (error) throw new Error('Setting the security headers failed', { cause: error });
    });
    void reply.header('cache-control', 'no-store');
    done();
  });
}
