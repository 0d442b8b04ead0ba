import helmet from '@fastify/helmet';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';

/**
 * Security headers on every answer, errors included (`@fastify/helmet`'s defaults: `nosniff`,
 * a Content-Security-Policy that allows only same-origin scripts, which is what the Swagger UI
 * at `/docs` loads, `frame-ancestors 'self'` and `X-Frame-Options`, HSTS, …), and
 * `Cache-Control: no-store` unless a route sets its own.
 *
 * no-store is the default because API answers are per caller and several carry secrets (API
 * keys, agent credentials, tokens) that no browser or proxy cache may keep; the static assets
 * of the docs set their own caching.
 *
 * The Cross-Origin-Resource-Policy is `cross-origin`: the APIs are meant to be called from
 * other origins' pages (CORS decides which).
 */
export async function registerSecurityHeaders(app: NestFastifyApplication): Promise<void> {
  await app.register(helmet, { crossOriginResourcePolicy: { policy: 'cross-origin' } });
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onRequest', (_request, reply, done) => {
    void reply.header('cache-control', 'no-store');
    done();
  });
}
