/**
 * `@ihf/auth`: how every IHF service authenticates and authorises requests.
 *
 * - User JWTs from identity, verified against its JWKS (`JwtStrategy`, `JwtAuthGuard`).
 * - Roles (`@Roles`, `RolesGuard`) and hub scope (`assertHubAccess`, `accessibleHubIds`, and
 *   `hubScopeCondition` for SQL).
 * - Hub API keys (`@ApiKeyAuth`, `ApiKeyGuard`, `ApiKeyVerifier`, key helpers).
 * - `TestTokenIssuer` for tests.
 *
 * @packageDocumentation
 */
export {
  ALLOWED_JWT_ALGORITHMS,
  API_KEY_AUTH_KEY,
  AUTH_OPTIONS,
  IS_PUBLIC_KEY,
  JWT_STRATEGY_NAME,
  ROLES_KEY,
  type AllowedJwtAlgorithm,
} from './auth.constants.js';
export {
  AuthErrorCode,
  AuthUnauthorizedException,
  HubAccessDeniedException,
  KeysUnavailableException,
  RoleRequiredException,
  type AuthProblem,
} from './auth.errors.js';
export {
  AUTH_DEFAULTS,
  authOptionsFromEnv,
  resolveAuthOptions,
  type AuthOptions,
  type AuthOptionsInput,
  type JwksOptions,
} from './auth.options.js';
export { AuthModule, type AuthModuleExtras } from './auth.module.js';
export { type AuthRequest } from './auth.request.js';
export { ApiKeyAuth, CurrentApiKey, CurrentUser, Public, Roles } from './decorators.js';
export { ROLES, Role, isRole } from './roles/role.js';
export { RolesGuard } from './roles/roles.guard.js';
export { type AuthenticatedUser, type PrincipalKind } from './jwt/authenticated-user.js';
export { claimsToUser, type ClaimsPolicy, type IhfAccessTokenClaims } from './jwt/jwt-claims.js';
export {
  JwksKeySource,
  type JwksKeySourceDeps,
  type VerificationKey,
} from './jwt/jwks-key-source.js';
export { JwtAuthGuard } from './jwt/jwt-auth.guard.js';
export { JwtStrategy } from './jwt/jwt.strategy.js';
export { accessibleHubIds, assertHubAccess, canAccessHub } from './hub-scope/hub-scope.js';
export { hubScopeCondition } from './hub-scope/hub-scope-sql.js';
export {
  API_KEY_PREFIX_LENGTH,
  API_KEY_SECRET_BYTES,
  generateApiKey,
  hashApiKey,
  parseApiKey,
  verifyApiKeyHash,
  type GeneratedApiKey,
  type PresentedApiKey,
} from './api-key/api-key.js';
export { ApiKeyVerifier, type ApiKeyPrincipal } from './api-key/api-key-verifier.js';
export { ApiKeyGuard } from './api-key/api-key.guard.js';
export {
  TestTokenIssuer,
  type TestSignOptions,
  type TestTokenClaims,
  type TestTokenIssuerOptions,
} from './testing/test-token-issuer.js';
