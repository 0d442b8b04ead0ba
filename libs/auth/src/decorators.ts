import {
  applyDecorators,
  createParamDecorator,
  type ExecutionContext,
  SetMetadata,
  UseGuards,
} from '@nestjs/common';
import { ApiKeyGuard } from './api-key/api-key.guard.js';
import { type ApiKeyPrincipal } from './api-key/api-key-verifier.js';
import { API_KEY_AUTH_KEY, IS_PUBLIC_KEY, ROLES_KEY } from './auth.constants.js';
import { AuthUnauthorizedException } from './auth.errors.js';
import { type AuthRequest } from './auth.request.js';
import { type AuthenticatedUser } from './jwt/authenticated-user.js';
import { type Role } from './roles/role.js';

/**
 * Opts a route (or a whole controller) out of the global `JwtAuthGuard`: health probes, metrics,
 * the JWKS itself, login. Use sparingly; everything else is protected by default.
 */
export const Public = (): MethodDecorator & ClassDecorator => SetMetadata(IS_PUBLIC_KEY, true);

/**
 * Requires at least one of `roles` (checked by `RolesGuard`; 403 otherwise). A method's list
 * replaces its controller's. `admin` is not implied: list it where admins may act, so that
 * separation of duties (e.g. governor-only decisions) stays expressible.
 */
export const Roles = (...roles: [Role, ...Role[]]): MethodDecorator & ClassDecorator =>
  SetMetadata(ROLES_KEY, roles);

/**
 * Authenticates the route with a hub API key (`Authorization: Bearer ihf_<prefix>_<secret>`)
 * instead of a user JWT: applies `ApiKeyGuard` and makes `JwtAuthGuard` step aside. The module
 * declaring the controller must provide an `ApiKeyVerifier`.
 */
export const ApiKeyAuth = (): MethodDecorator & ClassDecorator =>
  applyDecorators(SetMetadata(API_KEY_AUTH_KEY, true), UseGuards(ApiKeyGuard));

/**
 * The request's {@link AuthenticatedUser}. Throws 401 when there is none (e.g. used on a
 * `@Public()` route), rather than handing a handler `undefined`.
 */
export const CurrentUser = createParamDecorator(
  (_data: unknown, context: ExecutionContext): AuthenticatedUser => {
    const user = context.switchToHttp().getRequest<AuthRequest>().user;
    if (user === undefined) throw new AuthUnauthorizedException();
    return user;
  },
);

/** The request's {@link ApiKeyPrincipal} on an `@ApiKeyAuth()` route; 401 when there is none. */
export const CurrentApiKey = createParamDecorator(
  (_data: unknown, context: ExecutionContext): ApiKeyPrincipal => {
    const principal = context.switchToHttp().getRequest<AuthRequest>().apiKey;
    if (principal === undefined) throw new AuthUnauthorizedException();
    return principal;
  },
);
