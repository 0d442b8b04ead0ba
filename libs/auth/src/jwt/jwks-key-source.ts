import { Logger, type LoggerService } from '@nestjs/common';
import { createPublicKey, type JsonWebKey, type KeyObject } from 'node:crypto';
import { type AllowedJwtAlgorithm, isAllowedJwtAlgorithm } from '../auth.constants.js';
import { JwksUnavailableError } from '../auth.errors.js';
import { AUTH_DEFAULTS, type JwksOptions } from '../auth.options.js';

/** A public key from the JWKS, ready for signature verification. */
export interface VerificationKey {
  readonly kid: string;
  readonly kty: 'RSA' | 'EC';
  /** The JWK's `alg`, when it pins one. */
  readonly alg?: AllowedJwtAlgorithm;
  readonly key: KeyObject;
}

/** Collaborators of {@link JwksKeySource}, replaceable in tests. */
export interface JwksKeySourceDeps {
  /** Defaults to the global `fetch`. */
  readonly fetch?: typeof fetch;
  /** Milliseconds since the epoch. Defaults to `Date.now`. */
  readonly now?: () => number;
  readonly logger?: LoggerService;
}

const PRIVATE_JWK_MEMBERS = ['d', 'p', 'q', 'dp', 'dq', 'qi', 'oth', 'k'] as const;
const MAX_KID_LENGTH = 256;
const MIN_RSA_BITS = 2048;

/** Whether `key` may verify a signature made with `alg` (key type, curve and pinned `alg`). */
export function isKeyCompatible(key: VerificationKey, alg: AllowedJwtAlgorithm): boolean {
  if (key.alg !== undefined && key.alg !== alg) return false;
  if (alg === 'ES256') return key.kty === 'EC';
  return key.kty === 'RSA';
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Turns one JWKS entry into a {@link VerificationKey}, or returns why it is not usable. Only
 * asymmetric signature keys are accepted: `kty` RSA (>= 2048 bits) or EC P-256, `use` absent or
 * `sig`, `key_ops` absent or containing `verify`, `alg` absent or an allowed algorithm. Symmetric
 * (`oct`) keys and entries carrying private members are refused.
 */
export function parseJwk(entry: unknown): VerificationKey | string {
  if (!isRecord(entry)) return 'not an object';
  const { kid, kty, use, alg } = entry;
  const keyOps = entry.key_ops;
  if (typeof kid !== 'string' || kid === '' || kid.length > MAX_KID_LENGTH) return 'missing kid';
  if (kty !== 'RSA' && kty !== 'EC')
    return `kid ${kid}: kty ${JSON.stringify(kty)} is not RSA or EC`;
  if (use !== undefined && use !== 'sig')
    return `kid ${kid}: use ${JSON.stringify(use)} is not sig`;
  if (keyOps !== undefined && !(Array.isArray(keyOps) && keyOps.includes('verify'))) {
    return `kid ${kid}: key_ops does not allow verify`;
  }
  if (alg !== undefined && !isAllowedJwtAlgorithm(alg)) {
    return `kid ${kid}: alg ${JSON.stringify(alg)} is not allowed`;
  }
  if (PRIVATE_JWK_MEMBERS.some((m) => m in entry)) {
    return `kid ${kid}: carries private key material`;
  }
  // Copy only the public members, so nothing unexpected reaches the key parser.
  const publicJwk: JsonWebKey =
    kty === 'RSA'
      ? { kty, n: entry.n as string, e: entry.e as string }
      : { kty, crv: entry.crv as string, x: entry.x as string, y: entry.y as string };
  let key: KeyObject;
  try {
    key = createPublicKey({ key: publicJwk, format: 'jwk' });
  } catch (err) {
    return `kid ${kid}: invalid key (${(err as Error).message})`;
  }
  const details = key.asymmetricKeyDetails;
  if (kty === 'RSA' && (details?.modulusLength ?? 0) < MIN_RSA_BITS) {
    return `kid ${kid}: RSA key shorter than ${MIN_RSA_BITS} bits`;
  }
  if (kty === 'EC' && details?.namedCurve !== 'prime256v1') {
    return `kid ${kid}: EC curve ${String(details?.namedCurve)} is not P-256`;
  }
  const parsed: VerificationKey = alg === undefined ? { kid, kty, key } : { kid, kty, alg, key };
  if (parsed.alg !== undefined && !isKeyCompatible(parsed, parsed.alg)) {
    return `kid ${kid}: alg ${parsed.alg} does not match kty ${kty}`;
  }
  return parsed;
}

/**
 * Public keys of the identity service, fetched from its JWKS and cached by `kid`.
 *
 * - A lookup re-fetches first when the cache is older than `cacheMaxAgeMs`, and re-fetches when the
 *   `kid` is unknown (key rotation), but never more than once per `minRefreshIntervalMs`, and
 *   concurrent lookups share one request.
 * - A fetch that fails (timeout, non-200, bad JSON) leaves the cache as it was: cached keys keep
 *   working for `staleIfErrorMs` past their max age, so a brief identity outage is invisible.
 * - A successful fetch replaces the whole set: a key removed from the JWKS stops verifying.
 *
 * Identity should publish a new key at least `minRefreshIntervalMs` before signing with it.
 */
export class JwksKeySource {
  private keys = new Map<string, VerificationKey>();
  private fetchedAt: number | undefined;
  private lastAttemptAt: number | undefined;
  private inFlight: Promise<void> | undefined;
  private readonly fetchFn: typeof fetch;
  private readonly now: () => number;
  private readonly logger: LoggerService;
  private readonly options: JwksOptions;

  constructor(
    private readonly jwksUrl: string,
    options: Partial<JwksOptions> = {},
    deps: JwksKeySourceDeps = {},
  ) {
    this.options = { ...AUTH_DEFAULTS.jwks, ...options };
    this.fetchFn = deps.fetch ?? fetch;
    this.now = deps.now ?? Date.now;
    this.logger = deps.logger ?? new Logger(JwksKeySource.name);
  }

  /**
   * The key with this `kid`, or `undefined` when the JWKS does not hold it (even after the
   * refresh the rate limit allowed).
   *
   * @throws JwksUnavailableError when no usable key set exists (never fetched successfully, or
   *   stale beyond `staleIfErrorMs` and identity still unreachable).
   */
  async getKey(kid: string): Promise<VerificationKey | undefined> {
    if (!this.isFresh()) await this.refreshIfAllowed('cache expired');
    let key = this.usableKeys().get(kid);
    if (key === undefined) {
      await this.refreshIfAllowed(`unknown kid ${JSON.stringify(kid.slice(0, 64))}`);
      key = this.usableKeys().get(kid);
    }
    return key;
  }

  /** Number of cached keys (diagnostics and tests). */
  get size(): number {
    return this.keys.size;
  }

  private isFresh(): boolean {
    return this.fetchedAt !== undefined && this.now() - this.fetchedAt < this.options.cacheMaxAgeMs;
  }

  private usableKeys(): ReadonlyMap<string, VerificationKey> {
    const limit = this.options.cacheMaxAgeMs + this.options.staleIfErrorMs;
    if (this.fetchedAt === undefined || this.now() - this.fetchedAt >= limit) {
      throw new JwksUnavailableError(
        this.fetchedAt === undefined
          ? 'JWKS has never been fetched successfully'
          : 'cached JWKS is too old and cannot be refreshed',
      );
    }
    return this.keys;
  }

  /** Fetches unless a fetch is running (then waits for it) or one started too recently. */
  private async refreshIfAllowed(reason: string): Promise<void> {
    if (this.inFlight !== undefined) return this.inFlight;
    const now = this.now();
    if (
      this.lastAttemptAt !== undefined &&
      now - this.lastAttemptAt < this.options.minRefreshIntervalMs
    ) {
      return;
    }
    this.lastAttemptAt = now;
    this.inFlight = this.refresh(reason).finally(() => {
      this.inFlight = undefined;
    });
    return this.inFlight;
  }

  /** Never rejects: a failure is logged and the previous key set stays in place. */
  private async refresh(reason: string): Promise<void> {
    try {
      const keys = await this.fetchKeys();
      this.keys = keys;
      this.fetchedAt = this.now();
      this.logger.log?.(`JWKS refreshed (${reason}): ${keys.size} key(s)`, JwksKeySource.name);
    } catch (err) {
      this.logger.error(
        `JWKS fetch from ${this.jwksUrl} failed (${reason}): ${(err as Error).message}; ` +
          (this.fetchedAt === undefined ? 'no cached keys' : 'keeping cached keys'),
        undefined,
        JwksKeySource.name,
      );
    }
  }

  private async fetchKeys(): Promise<Map<string, VerificationKey>> {
    const response = await this.fetchFn(this.jwksUrl, {
      headers: { accept: 'application/json' },
      redirect: 'error',
      signal: AbortSignal.timeout(this.options.timeoutMs),
    });
    if (response.status !== 200) {
      await response.body?.cancel();
      throw new Error(`HTTP ${response.status}`);
    }
    const declared = Number(response.headers.get('content-length'));
    if (declared > this.options.maxResponseBytes) {
      await response.body?.cancel();
      throw new Error(`response of ${declared} bytes exceeds ${this.options.maxResponseBytes}`);
    }
    const text = await response.text();
    if (Buffer.byteLength(text) > this.options.maxResponseBytes) {
      throw new Error(`response exceeds ${this.options.maxResponseBytes} bytes`);
    }
    const doc: unknown = JSON.parse(text);
    if (!isRecord(doc) || !Array.isArray(doc.keys)) throw new Error('not a JWKS document');
    const keys = new Map<string, VerificationKey>();
    for (const entry of doc.keys as unknown[]) {
      const parsed = parseJwk(entry);
      if (typeof parsed === 'string') {
        this.logger.warn(`JWKS entry skipped: ${parsed}`, JwksKeySource.name);
      } else if (keys.has(parsed.kid)) {
        this.logger.warn(`JWKS entry skipped: duplicate kid ${parsed.kid}`, JwksKeySource.name);
      } else {
        keys.set(parsed.kid, parsed);
      }
    }
    if (keys.size === 0) this.logger.warn('JWKS holds no usable key', JwksKeySource.name);
    return keys;
  }
}
