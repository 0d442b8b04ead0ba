/** Tuning of the JWKS cache (all durations in milliseconds). */
export interface JwksOptions {
  /** Abort a JWKS request after this long. Default 3 000. */
  readonly timeoutMs: number;
  /** Keys older than this are re-fetched before use. Default 600 000 (10 min). */
  readonly cacheMaxAgeMs: number;
  /**
   * At most one fetch per this interval, whatever triggered it (expiry or an unknown `kid`), so a
   * flood of tokens with forged `kid`s cannot hammer identity. Default 30 000.
   */
  readonly minRefreshIntervalMs: number;
  /**
   * While identity is unreachable, keep using cached keys for this long past `cacheMaxAgeMs`;
   * after that, tokens are refused (503) until a fetch succeeds. Default 3 600 000 (1 h).
   */
  readonly staleIfErrorMs: number;
  /** Refuse JWKS documents larger than this. Default 262 144 (256 KiB). */
  readonly maxResponseBytes: number;
}

/** Resolved configuration of `@ihf/auth`. */
export interface AuthOptions {
  /** URL of identity's JWKS, e.g. `http://127.0.0.1:3000/.well-known/jwks.json`. */
  readonly jwksUrl: string;
  /** Expected `iss` claim. Default `ihf-identity`. */
  readonly issuer: string;
  /** Expected `aud` claim (one of the token's audiences must equal it). Default `ihf`. */
  readonly audience: string;
  /** Allowed clock skew for `exp`, `nbf` and `iat`, in seconds. Default 30. */
  readonly clockToleranceSec: number;
  /**
   * Maximum `exp - iat`, in seconds. A token minted with a longer life is refused even though its
   * signature is valid: a leaked signing path should not be able to mint week-long tokens. Default 3 600.
   */
  readonly maxTokenLifetimeSec: number;
  /** JWKS cache tuning. */
  readonly jwks: JwksOptions;
}

/** Input of {@link resolveAuthOptions}: `jwksUrl` is required, everything else has a default. */
export type AuthOptionsInput = Pick<AuthOptions, 'jwksUrl'> &
  Partial<Omit<AuthOptions, 'jwksUrl' | 'jwks'>> & { readonly jwks?: Partial<JwksOptions> };

/** Defaults applied by {@link resolveAuthOptions}. */
export const AUTH_DEFAULTS = {
  issuer: 'ihf-identity',
  audience: 'ihf',
  clockToleranceSec: 30,
  maxTokenLifetimeSec: 3600,
  jwks: {
    timeoutMs: 3000,
    cacheMaxAgeMs: 10 * 60_000,
    minRefreshIntervalMs: 30_000,
    staleIfErrorMs: 60 * 60_000,
    maxResponseBytes: 256 * 1024,
  },
} as const satisfies Omit<AuthOptions, 'jwksUrl'>;

function positive(name: string, value: number, allowZero = false): number {
  if (!Number.isFinite(value) || value < 0 || (!allowZero && value === 0)) {
    throw new Error(
      `@ihf/auth: ${name} must be a ${allowZero ? 'non-negative' : 'positive'} number`,
    );
  }
  return value;
}

function nonEmpty(name: string, value: string): string {
  if (value.trim() === '') throw new Error(`@ihf/auth: ${name} must not be empty`);
  return value;
}

/**
 * Applies defaults and validates; throws an `Error` naming the offending setting, so a service
 * stops at boot rather than failing every request later.
 */
export function resolveAuthOptions(input: AuthOptionsInput): AuthOptions {
  let url: URL;
  try {
    url = new URL(input.jwksUrl);
  } catch {
    throw new Error(`@ihf/auth: jwksUrl (IHF_JWKS_URL) is not a valid URL: '${input.jwksUrl}'`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new Error('@ihf/auth: jwksUrl (IHF_JWKS_URL) must be an http(s) URL');
  }
  const jwks = { ...AUTH_DEFAULTS.jwks, ...input.jwks };
  return {
    jwksUrl: url.toString(),
    issuer: nonEmpty('issuer', input.issuer ?? AUTH_DEFAULTS.issuer),
    audience: nonEmpty('audience', input.audience ?? AUTH_DEFAULTS.audience),
    clockToleranceSec: positive(
      'clockToleranceSec',
      input.clockToleranceSec ?? AUTH_DEFAULTS.clockToleranceSec,
      true,
    ),
    maxTokenLifetimeSec: positive(
      'maxTokenLifetimeSec',
      input.maxTokenLifetimeSec ?? AUTH_DEFAULTS.maxTokenLifetimeSec,
    ),
    jwks: {
      timeoutMs: positive('jwks.timeoutMs', jwks.timeoutMs),
      cacheMaxAgeMs: positive('jwks.cacheMaxAgeMs', jwks.cacheMaxAgeMs),
      minRefreshIntervalMs: positive('jwks.minRefreshIntervalMs', jwks.minRefreshIntervalMs, true),
      staleIfErrorMs: positive('jwks.staleIfErrorMs', jwks.staleIfErrorMs, true),
      maxResponseBytes: positive('jwks.maxResponseBytes', jwks.maxResponseBytes),
    },
  };
}

/**
 * Reads the auth configuration from the environment:
 * `IHF_JWKS_URL` (required), `IHF_JWT_ISSUER` (default `ihf-identity`),
 * `IHF_JWT_AUDIENCE` (default `ihf`).
 *
 * @throws Error naming the missing or invalid variable.
 */
export function authOptionsFromEnv(env: NodeJS.ProcessEnv = process.env): AuthOptions {
  const jwksUrl = env.IHF_JWKS_URL?.trim();
  if (!jwksUrl) {
    throw new Error(
      '@ihf/auth: IHF_JWKS_URL is required (e.g. http://127.0.0.1:3000/.well-known/jwks.json)',
    );
  }
  return resolveAuthOptions({
    jwksUrl,
    issuer: env.IHF_JWT_ISSUER?.trim() || undefined,
    audience: env.IHF_JWT_AUDIENCE?.trim() || undefined,
  });
}
