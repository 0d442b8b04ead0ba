import {
  generateKeyPairSync,
  type JsonWebKey,
  type KeyObject,
  randomUUID,
  sign,
  constants,
} from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type AllowedJwtAlgorithm } from '../auth.constants.js';
import { AUTH_DEFAULTS } from '../auth.options.js';

/** Claims of a test token; defaults give a valid `viewer` user with no hubs. */
export interface TestTokenClaims {
  sub?: string;
  email?: string;
  roles?: readonly string[];
  hubs?: readonly string[];
  kind?: string;
  [claim: string]: unknown;
}

/** How {@link TestTokenIssuer.sign} builds the token. */
export interface TestSignOptions {
  /** Default `RS256`. */
  alg?: AllowedJwtAlgorithm;
  /**
   * `kid` header. Default: the issuer's current key for `alg`. A kid the issuer does not hold
   * still signs (with the current key for `alg`), to test unknown-kid handling.
   */
  kid?: string;
  /** `iat`, seconds since the epoch. Default now. */
  issuedAt?: number;
  /** `exp - iat` in seconds. Default 300. Negative values give an expired token. */
  expiresInSec?: number;
  /** `iss`. Default the issuer's `issuer`. */
  issuer?: string;
  /** `aud`. Default the issuer's `audience`. */
  audience?: string | string[];
  /** Standard claims to leave out (`iat`, `exp`, ...). */
  omit?: readonly ('iat' | 'exp' | 'iss' | 'aud' | 'sub')[];
}

/** Options of {@link TestTokenIssuer.start}. */
export interface TestTokenIssuerOptions {
  /** Default `ihf-identity`. */
  issuer?: string;
  /** Default `ihf`. */
  audience?: string;
}

interface TestKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
  readonly publicJwk: JsonWebKey & { kid: string; use: 'sig'; alg?: string };
  readonly kty: 'RSA' | 'EC';
}

/**
 * Stands in for the identity service in tests: holds an RSA (RS256/PS256) and an EC P-256
 * (ES256) key pair, serves their JWKS on `http://127.0.0.1:<random port>/.well-known/jwks.json`
 * over `node:http`, and signs tokens with chosen claims, algorithm, `kid` and expiry.
 *
 * ```ts
 * const issuer = await TestTokenIssuer.start();
 * const app = await Test.createTestingModule({
 *   imports: [AuthModule.forRoot({ jwksUrl: issuer.jwksUrl }), ...],
 * }).compile();
 * const token = issuer.sign({ sub: userId, roles: ['triager'], hubs: [hubId] });
 * // ... finally: await issuer.close();
 * ```
 *
 * Test-only: never use it in a running service.
 */
export class TestTokenIssuer {
  /** Default `sub` of signed tokens. */
  static readonly DEFAULT_SUBJECT = '00000000-0000-4000-8000-000000000001';

  readonly issuer: string;
  readonly audience: string;
  /** Number of JWKS requests served (to assert caching). */
  jwksRequests = 0;
  /** When false, the JWKS endpoint answers 503 (to simulate an identity outage). */
  available = true;

  private readonly keys = new Map<string, TestKey>();
  private currentRsaKid: string;
  private readonly currentEcKid: string;
  private server: Server | undefined;
  private port = 0;

  private constructor(options: TestTokenIssuerOptions) {
    this.issuer = options.issuer ?? AUTH_DEFAULTS.issuer;
    this.audience = options.audience ?? AUTH_DEFAULTS.audience;
    this.currentRsaKid = this.addKey('RSA');
    this.currentEcKid = this.addKey('EC');
  }

  /** Creates the keys and starts the JWKS server on a random loopback port. */
  static async start(options: TestTokenIssuerOptions = {}): Promise<TestTokenIssuer> {
    const issuer = new TestTokenIssuer(options);
    await issuer.listen();
    return issuer;
  }

  /** URL of the served JWKS, for `AuthModule.forRoot({ jwksUrl })` or `IHF_JWKS_URL`. */
  get jwksUrl(): string {
    return `http://127.0.0.1:${this.port}/.well-known/jwks.json`;
  }

  /** The JWKS document currently served. */
  get jwks(): { keys: JsonWebKey[] } {
    return { keys: [...this.keys.values()].map((k) => k.publicJwk) };
  }

  /** PEM (SPKI) of the current RSA public key, e.g. to forge an HS256 "key confusion" token. */
  get rsaPublicKeyPem(): string {
    return this.keys
      .get(this.currentRsaKid)!
      .publicKey.export({ format: 'pem', type: 'spki' })
      .toString();
  }

  /** Publishes a new RSA key and signs RS256/PS256 with it from now on; returns its kid. */
  rotateRsaKey(): string {
    this.currentRsaKid = this.addKey('RSA');
    return this.currentRsaKid;
  }

  /** Signs a token. Defaults: RS256, `sub` {@link DEFAULT_SUBJECT}, `roles: ['viewer']`, `kind: 'user'`, 5 min. */
  sign(claims: TestTokenClaims = {}, options: TestSignOptions = {}): string {
    const alg = options.alg ?? 'RS256';
    const defaultKid = alg === 'ES256' ? this.currentEcKid : this.currentRsaKid;
    const kid = options.kid ?? defaultKid;
    const key = this.keys.get(kid) ?? this.keys.get(defaultKid)!;
    const iat = options.issuedAt ?? Math.floor(Date.now() / 1000);
    const payload: Record<string, unknown> = {
      iss: options.issuer ?? this.issuer,
      aud: options.audience ?? this.audience,
      sub: TestTokenIssuer.DEFAULT_SUBJECT,
      roles: ['viewer'],
      kind: 'user',
      iat,
      exp: iat + (options.expiresInSec ?? 300),
      ...claims,
    };
    for (const name of options.omit ?? []) delete payload[name];
    const signingInput = `${b64(JSON.stringify({ alg, typ: 'JWT', kid }))}.${b64(JSON.stringify(payload))}`;
    return `${signingInput}.${signWith(alg, key.privateKey, signingInput)}`;
  }

  /** Stops the JWKS server. */
  async close(): Promise<void> {
    const server = this.server;
    this.server = undefined;
    if (server === undefined) return;
    server.closeAllConnections();
    await new Promise<void>((resolve, reject) =>
      server.close((err) => (err ? reject(err) : resolve())),
    );
  }

  private addKey(kty: 'RSA' | 'EC'): string {
    const kid = `test-${kty.toLowerCase()}-${randomUUID().slice(0, 8)}`;
    const { privateKey, publicKey } =
      kty === 'RSA'
        ? generateKeyPairSync('rsa', { modulusLength: 2048 })
        : generateKeyPairSync('ec', { namedCurve: 'P-256' });
    this.keys.set(kid, {
      kid,
      kty,
      privateKey,
      publicKey,
      publicJwk: { ...publicKey.export({ format: 'jwk' }), kid, use: 'sig' },
    });
    return kid;
  }

  private async listen(): Promise<void> {
    const server = createServer((req, res) => {
      if (req.method !== 'GET' || req.url !== '/.well-known/jwks.json') {
        res.writeHead(404).end();
        return;
      }
      this.jwksRequests++;
      if (!this.available) {
        res.writeHead(503).end();
        return;
      }
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(this.jwks));
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => resolve());
    });
    this.server = server;
    this.port = (server.address() as AddressInfo).port;
  }
}

function b64(text: string): string {
  return Buffer.from(text, 'utf8').toString('base64url');
}

function signWith(alg: AllowedJwtAlgorithm, key: KeyObject, input: string): string {
  const data = Buffer.from(input, 'utf8');
  switch (alg) {
    case 'RS256':
      return sign('sha256', data, key).toString('base64url');
    case 'PS256':
      return sign('sha256', data, {
        key,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('base64url');
    case 'ES256':
      return sign('sha256', data, { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');
  }
}
