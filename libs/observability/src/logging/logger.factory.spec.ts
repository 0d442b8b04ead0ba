import type { Logger } from 'pino';
import { RequestContext } from '../context/request-context.js';
import { createLogger, REDACTED, redactPaths } from './logger.factory.js';

function capture(level = 'info'): { logger: Logger; lines: () => Record<string, unknown>[] } {
  const raw: string[] = [];
  const logger = createLogger({
    service: 'probe',
    level,
    destination: { write: (line: string) => void raw.push(line) },
  });
  return { logger, lines: () => raw.map((l) => JSON.parse(l) as Record<string, unknown>) };
}

describe('createLogger', () => {
  it('writes JSON with service, level label and ISO time', () => {
    const { logger, lines } = capture();
    logger.info({ hub_id: 'h1' }, 'hello');
    expect(lines()).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'probe',
        msg: 'hello',
        hub_id: 'h1',
        time: expect.stringMatching(/^\d{4}-\d{2}-\d{2}T/) as string,
      }),
    ]);
  });

  it('honours the level', () => {
    const { logger, lines } = capture('warn');
    logger.info('hidden');
    logger.warn('shown');
    expect(lines().map((l) => l.msg)).toEqual(['shown']);
  });

  it('rejects an unknown level', () => {
    expect(() => createLogger({ service: 'probe', level: 'loud' })).toThrow(
      "Unknown log level 'loud'",
    );
  });

  it('adds the request-context ids inside a context, and nothing outside', () => {
    const { logger, lines } = capture();
    RequestContext.run({ correlationId: 'c1', requestId: 'r1', causationId: 'e0' }, () =>
      logger.info('inside'),
    );
    logger.info('outside');
    const [inside, outside] = lines();
    expect(inside).toMatchObject({ correlation_id: 'c1', request_id: 'r1', causation_id: 'e0' });
    expect(outside).not.toHaveProperty('correlation_id');
  });

  describe('redaction', () => {
    const secrets = {
      password: 'p0',
      password_hash: 'ph0',
      token: 't0',
      access_token: 'at0',
      refresh_token: 'rt0',
      api_key: 'ak0',
      secret: 's0',
      client_secret: 'cs0',
    };

    it('redacts sensitive fields at the top level and nested (objects and arrays)', () => {
      const { logger, lines } = capture();
      logger.info({
        ...secrets,
        user: { email: 'a@b.c', password: 'p1' },
        body: { clients: [{ client_secret: 'cs2', name: 'ok' }] },
        a: { b: { c: { d: { token: 't4' } } } },
      });
      const line = lines()[0];
      for (const key of Object.keys(secrets)) expect(line[key]).toBe(REDACTED);
      expect(line.user).toEqual({ email: 'a@b.c', password: REDACTED });
      expect(line.body).toEqual({ clients: [{ client_secret: REDACTED, name: 'ok' }] });
      expect(line.a).toEqual({ b: { c: { d: { token: REDACTED } } } });
      const text = JSON.stringify(line);
      for (const value of ['p0', 'p1', 'cs2', 't4', 'ak0']) expect(text).not.toContain(value);
    });

    it('redacts authorization, cookie and x-api-key headers of a logged request', () => {
      const { logger, lines } = capture();
      logger.info({
        req: {
          headers: {
            authorization: 'Bearer abc',
            cookie: 'sid=1',
            'x-api-key': 'ihf_123',
            'user-agent': 'jest',
          },
        },
        res: { headers: { 'set-cookie': 'sid=2' } },
      });
      expect(lines()[0]).toMatchObject({
        req: {
          headers: {
            authorization: REDACTED,
            cookie: REDACTED,
            'x-api-key': REDACTED,
            'user-agent': 'jest',
          },
        },
        res: { headers: { 'set-cookie': REDACTED } },
      });
    });

    it('lists one path per key and depth', () => {
      expect(redactPaths(['password'], 2)).toEqual([
        '["password"]',
        '*["password"]',
        '*.*["password"]',
      ]);
    });
  });
});
