import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthGuard } from '@nestjs/passport';
import { RequestContext } from '@ihf/observability';
import { API_KEY_AUTH_KEY, IS_PUBLIC_KEY, JWT_STRATEGY_NAME } from '../auth.constants.js';
import {
  AuthUnauthorizedException,
  JwksUnavailableError,
  KeysUnavailableException,
  TokenRejectedError,
} from '../auth.errors.js';
import { type AuthenticatedUser } from './authenticated-user.js';

/**
 * Requires a valid user JWT (strategy `jwt`) unless the route or its controller is marked
 * `@Public()` or `@ApiKeyAuth()`. Meant as a global guard (`APP_GUARD`; `AuthModule` registers it),
 * so that a route is protected unless it says otherwise.
 *
 * Answers 401 with a generic problem body whatever failed, and logs the reason; 503 when
 * identity's keys cannot be obtained at all.
 */
@Injectable()
export class JwtAuthGuard extends AuthGuard(JWT_STRATEGY_NAME) {
  private readonly logger = new Logger(JwtAuthGuard.name);

  constructor(private readonly reflector: Reflector) {
    super();
  }

  override canActivate(context: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    const targets = [context.getHandler(), context.getClass()];
    if (this.reflector.getAllAndOverride<boolean | undefined>(IS_PUBLIC_KEY, targets)) return true;
    if (this.reflector.getAllAndOverride<boolean | undefined>(API_KEY_AUTH_KEY, targets)) {
      return true;
    }
    return super.canActivate(context);
  }

  override handleRequest<TUser = AuthenticatedUser>(
    err: unknown,
    user: unknown,
    info: unknown,
  ): TUser {
    if (err instanceof TokenRejectedError) {
      this.logger.warn(`JWT rejected: ${err.message}`);
      throw new AuthUnauthorizedException();
    }
    // Anything else is a defect, not a bad token: let the exception filter answer 500.
    if (err instanceof Error) throw err;
    if (err) throw new Error(`unexpected authentication error: ${JSON.stringify(err)}`);
    if (!user) {
      if (info instanceof JwksUnavailableError) {
        this.logger.error(`JWT not verifiable: ${info.message}`);
        throw new KeysUnavailableException();
      }
      const reason = info instanceof Error ? `${info.name}: ${info.message}` : 'no credentials';
      // Expiry and absence are routine; anything else (bad signature, alg, kid, aud, iss) is worth a warning.
      if (reason.startsWith('TokenExpiredError') || reason === 'Error: No auth token') {
        this.logger.debug(`JWT rejected: ${reason}`);
      } else {
        this.logger.warn(`JWT rejected: ${reason}`);
      }
      throw new AuthUnauthorizedException();
    }
    const principal = user as AuthenticatedUser;
    const ctx = RequestContext.current();
    if (ctx) ctx.userId = principal.id;
    return principal as TUser;
  }
}
