import { PUBLIC_ROUTE_KEY } from '@ihf/observability';
/** Injection token of the resolved {@link AuthOptions}. */
export const AUTH_OPTIONS = Symbol('IHF_AUTH_OPTIONS');

/** Metadata key set by `@Public()`. */
// Shared with @ihf/observability, whose health and metrics routes are public.
export const IS_PUBLIC_KEY = PUBLIC_ROUTE_KEY;

/** Metadata key set by `@Roles(...)`. */
export const ROLES_KEY = 'ihf:auth:roles';

/** Metadata key set by `@ApiKeyAuth()`: the route authenticates with a hub API key, not a JWT. */
export const API_KEY_AUTH_KEY = 'ihf:auth:api-key';

/** Passport strategy name of {@link JwtStrategy}. */
export const JWT_STRATEGY_NAME = 'jwt';

/**
 * JWS algorithms accepted on user tokens: asymmetric only. `none` and every HMAC algorithm are
 * refused, so a token "signed" with a published public key used as an HMAC secret never verifies.
 */
export const ALLOWED_JWT_ALGORITHMS = ['RS256', 'PS256', 'ES256'] as const;

/** One of {@link ALLOWED_JWT_ALGORITHMS}. */
export type AllowedJwtAlgorithm = (typeof ALLOWED_JWT_ALGORITHMS)[number];

/** Whether `alg` is one of {@link ALLOWED_JWT_ALGORITHMS}. */
export function isAllowedJwtAlgorithm(alg: unknown): alg is AllowedJwtAlgorithm {
  return (ALLOWED_JWT_ALGORITHMS as readonly unknown[]).includes(alg);
}
