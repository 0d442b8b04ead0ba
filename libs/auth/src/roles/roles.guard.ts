import { type CanActivate, type ExecutionContext, Injectable, Logger } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { ROLES_KEY } from '../auth.constants.js';
import { AuthUnauthorizedException, RoleRequiredException } from '../auth.errors.js';
import { type AuthRequest } from '../auth.request.js';
import { type Role } from './role.js';

/**
 * Enforces `@Roles(...)`: the user must hold at least one listed role, else 403
 * (`AUTH.ROLE_REQUIRED`). Routes without `@Roles` pass. Must run after `JwtAuthGuard`
 * (`AuthModule` registers both globally, in that order).
 */
@Injectable()
export class RolesGuard implements CanActivate {
  private readonly logger = new Logger(RolesGuard.name);

  constructor(private readonly reflector: Reflector) {}

  canActivate(context: ExecutionContext): boolean {
    const required = this.reflector.getAllAndOverride<readonly Role[] | undefined>(ROLES_KEY, [
      context.getHandler(),
      context.getClass(),
    ]);
    if (required === undefined || required.length === 0) return true;
    const user = context.switchToHttp().getRequest<AuthRequest>().user;
    if (user === undefined) throw new AuthUnauthorizedException();
    if (user.roles.some((role) => required.includes(role))) return true;
    this.logger.warn(
      `user ${user.id} with roles [${user.roles.join(', ')}] lacks one of [${required.join(', ')}]`,
    );
    throw new RoleRequiredException();
  }
}
