import { createPublicKey, generateKeyPairSync, verify } from 'node:crypto';
import { signingKeyFromPem, signJwt, thumbprint } from './signing-key.js';

const pem = (type: 'rsa' | 'ec', opts: object): string =>
  generateKeyPairSync(type as 'rsa', opts as { modulusLength: number }).privateKey.export({
    type: 'pkcs8',
    format: 'pem',
  }) as string;

const part = (token: string, i: number): Record<string, unknown> =>
  JSON.parse(Buffer.from(token.split('.')[i], 'base64url').toString()) as Record<string, unknown>;

describe('signing keys', () => {
  it('signs RS256 JWTs with a thumbprint kid that the public JWK verifies', () => {
    const key = signingKeyFromPem(pem('rsa', { modulusLength: 2048 }), 'test');
    expect(key.alg).toBe('RS256');
    expect(key.kid).toBe(thumbprint(key.jwk));
    expect(Object.keys(key.jwk).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    const token = signJwt({ sub: 'x' }, key);
    expect(part(token, 0)).toEqual({ alg: 'RS256', typ: 'JWT', kid: key.kid });
    expect(part(token, 1)).toEqual({ sub: 'x' });
    const [h, p, s] = token.split('.');
    const publicKey = createPublicKey({ key: key.jwk, format: 'jwk' });
    expect(verify('sha256', Buffer.from(`${h}.${p}`), publicKey, Buffer.from(s, 'base64url'))).toBe(
      true,
    );
  });

  it('signs ES256 with JOSE (r||s) signatures', () => {
    const key = signingKeyFromPem(pem('ec', { namedCurve: 'P-256' }), 'test');
    expect(key.alg).toBe('ES256');
    const [h, p, s] = signJwt({ sub: 'y' }, key).split('.');
    expect(Buffer.from(s, 'base64url')).toHaveLength(64);
    expect(
      verify(
        'sha256',
        Buffer.from(`${h}.${p}`),
        { key: key.publicKey, dsaEncoding: 'ieee-p1363' },
        Buffer.from(s, 'base64url'),
      ),
    ).toBe(true);
  });

  it('gives the same kid to the private and the public form of a key', () => {
    const privatePem = pem('rsa', { modulusLength: 2048 });
    const publicPem = createPublicKey(privatePem).export({ type: 'spki', format: 'pem' }) as string;
    const publicOnly = signingKeyFromPem(publicPem, 'public');
    expect(publicOnly.kid).toBe(signingKeyFromPem(privatePem, 'private').kid);
    expect(() => signJwt({}, publicOnly)).toThrow(/no private key/);
  });

  it('refuses weak or unsupported keys, naming the source', () => {
    expect(() => signingKeyFromPem(pem('rsa', { modulusLength: 1024 }), 'weak.pem')).toThrow(
      /weak\.pem: RSA keys must have at least 2048 bits/,
    );
    expect(() => signingKeyFromPem(pem('ec', { namedCurve: 'P-384' }), 'p384.pem')).toThrow(
      /p384\.pem: only RSA/,
    );
    expect(() => signingKeyFromPem('not a key', 'junk.pem')).toThrow(/junk\.pem: not a PEM key/);
  });
});
