import { type LoggerService } from '@nestjs/common';
import { generateKeyPairSync, type JsonWebKey } from 'node:crypto';
import { JwksUnavailableError } from '../auth.errors.js';
import { JwksKeySource, parseJwk } from './jwks-key-source.js';

function rsaJwk(kid: string, extra: Record<string, unknown> = {}): JsonWebKey {
  const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig', ...extra };
}

function ecJwk(kid: string, namedCurve = 'P-256'): JsonWebKey {
  const { publicKey } = generateKeyPairSync('ec', { namedCurve });
  return { ...publicKey.export({ format: 'jwk' }), kid };
}

const silent: LoggerService = { log: jest.fn(), error: jest.fn(), warn: jest.fn() };

class FakeJwks {
  keys: JsonWebKey[] = [];
  calls = 0;
  failWith: Error | number | undefined;
  readonly fetch = jest.fn((): Promise<Response> => {
    this.calls++;
    if (this.failWith instanceof Error) return Promise.reject(this.failWith);
    if (typeof this.failWith === 'number') {
      return Promise.resolve(new Response('down', { status: this.failWith }));
    }
    return Promise.resolve(Response.json({ keys: this.keys }));
  });
}

function setup(options: ConstructorParameters<typeof JwksKeySource>[1] = {}) {
  const jwks = new FakeJwks();
  let now = 1_000_000;
  const clock = { advance: (ms: number) => (now += ms) };
  const source = new JwksKeySource('http://identity.test/.well-known/jwks.json', options, {
    fetch: jwks.fetch as unknown as typeof fetch,
    now: () => now,
    logger: silent,
  });
  return { jwks, clock, source };
}

const k1 = rsaJwk('k1');
const k2 = rsaJwk('k2');

describe('JwksKeySource', () => {
  it('fetches once and serves later lookups from the cache', async () => {
    const { jwks, source } = setup();
    jwks.keys = [k1];

    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1', kty: 'RSA' });
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });
    expect(jwks.calls).toBe(1);
  });

  it('shares one request between concurrent lookups', async () => {
    const { jwks, source } = setup();
    jwks.keys = [k1];

    await Promise.all([source.getKey('k1'), source.getKey('k1'), source.getKey('zz')]);
    expect(jwks.calls).toBe(1);
  });

  it('refreshes on an unknown kid (rotation) once the minimum interval has passed', async () => {
    const { jwks, clock, source } = setup({ minRefreshIntervalMs: 30_000 });
    jwks.keys = [k1];
    await source.getKey('k1');

    jwks.keys = [k1, k2];
    clock.advance(30_000);
    await expect(source.getKey('k2')).resolves.toMatchObject({ kid: 'k2' });
    expect(jwks.calls).toBe(2);
  });

  it('rate-limits refreshes caused by unknown kids', async () => {
    const { jwks, clock, source } = setup({ minRefreshIntervalMs: 30_000 });
    jwks.keys = [k1];
    await source.getKey('k1');

    for (let i = 0; i < 50; i++) {
      await expect(source.getKey(`forged-${i}`)).resolves.toBeUndefined();
    }
    expect(jwks.calls).toBe(1);

    clock.advance(29_999);
    await source.getKey('forged-x');
    expect(jwks.calls).toBe(1);

    clock.advance(1);
    await source.getKey('forged-y');
    expect(jwks.calls).toBe(2);
  });

  it('re-fetches known keys after the max cache age and drops removed keys', async () => {
    const { jwks, clock, source } = setup({ cacheMaxAgeMs: 60_000, minRefreshIntervalMs: 1_000 });
    jwks.keys = [k1, k2];
    await source.getKey('k1');

    clock.advance(59_999);
    await source.getKey('k2');
    expect(jwks.calls).toBe(1);

    jwks.keys = [k2];
    clock.advance(1);
    await expect(source.getKey('k1')).resolves.toBeUndefined();
    expect(jwks.calls).toBe(2);
  });

  it('keeps serving cached keys while identity is down, up to staleIfErrorMs', async () => {
    const { jwks, clock, source } = setup({
      cacheMaxAgeMs: 60_000,
      minRefreshIntervalMs: 1_000,
      staleIfErrorMs: 120_000,
    });
    jwks.keys = [k1];
    await source.getKey('k1');

    jwks.failWith = 503;
    clock.advance(60_000);
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });
    expect(jwks.calls).toBe(2);

    jwks.failWith = new Error('connect ECONNREFUSED');
    clock.advance(119_999);
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });

    clock.advance(1);
    await expect(source.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);

    jwks.failWith = undefined;
    clock.advance(1_000);
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });
  });

  it('is unavailable when the first fetch fails, and retries only after the interval', async () => {
    const { jwks, clock, source } = setup({ minRefreshIntervalMs: 30_000 });
    jwks.failWith = new Error('timeout');

    await expect(source.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    await expect(source.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
    expect(jwks.calls).toBe(1);

    jwks.failWith = undefined;
    jwks.keys = [k1];
    clock.advance(30_000);
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });
  });

  it('keeps the previous keys when the document is not a JWKS', async () => {
    const { jwks, clock, source } = setup({ cacheMaxAgeMs: 1_000, minRefreshIntervalMs: 0 });
    jwks.keys = [k1];
    await source.getKey('k1');

    jwks.fetch.mockImplementationOnce(() => Promise.resolve(Response.json({ nope: true })));
    clock.advance(1_000);
    await expect(source.getKey('k1')).resolves.toMatchObject({ kid: 'k1' });
  });

  it('refuses oversized documents', async () => {
    const { jwks, source } = setup({ maxResponseBytes: 100 });
    jwks.keys = [k1];
    await expect(source.getKey('k1')).rejects.toBeInstanceOf(JwksUnavailableError);
  });

  it('passes a timeout signal and refuses redirects', async () => {
    const { jwks, source } = setup({ timeoutMs: 1234 });
    jwks.keys = [k1];
    await source.getKey('k1');
    const init = (jwks.fetch.mock.calls as unknown as [string, RequestInit][])[0][1];
    expect(init.signal).toBeInstanceOf(AbortSignal);
    expect(init.redirect).toBe('error');
  });

  it('caches only usable signature keys', async () => {
    const { jwks, source } = setup();
    jwks.keys = [
      k1,
      { kty: 'oct', kid: 'sym', k: 'c2VjcmV0' },
      rsaJwk('enc', { use: 'enc' }),
      ecJwk('ec'),
    ];
    await source.getKey('k1');
    expect(source.size).toBe(2);
    await expect(source.getKey('ec')).resolves.toMatchObject({ kty: 'EC' });
  });
});

describe('parseJwk', () => {
  it('accepts RSA and EC P-256 signature keys', () => {
    expect(parseJwk(rsaJwk('a', { alg: 'PS256' }))).toMatchObject({ kid: 'a', alg: 'PS256' });
    expect(parseJwk(ecJwk('b'))).toMatchObject({ kid: 'b', kty: 'EC' });
  });

  it.each([
    ['symmetric keys', { kty: 'oct', kid: 'x', k: 'c2VjcmV0' }, /kty "oct"/],
    ['encryption keys', rsaJwk('x', { use: 'enc' }), /use "enc"/],
    ['keys not for verify', rsaJwk('x', { key_ops: ['encrypt'] }), /key_ops/],
    ['HMAC algorithms', rsaJwk('x', { alg: 'HS256' }), /alg "HS256"/],
    ['alg/kty mismatches', rsaJwk('x', { alg: 'ES256' }), /does not match/],
    ['missing kid', rsaJwk(''), /missing kid/],
    ['other curves', ecJwk('x', 'P-384'), /not P-256/],
  ])('refuses %s', (_name, jwk, reason) => {
    expect(parseJwk(jwk)).toMatch(reason);
  });

  it('refuses keys carrying private material', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    expect(parseJwk({ ...privateKey.export({ format: 'jwk' }), kid: 'p' })).toMatch(/private/);
  });

  it('refuses RSA keys shorter than 2048 bits', () => {
    const { publicKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    expect(parseJwk({ ...publicKey.export({ format: 'jwk' }), kid: 's' })).toMatch(/2048/);
  });
});
