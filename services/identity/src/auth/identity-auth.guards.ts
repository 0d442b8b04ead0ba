import { type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard, RolesGuard } from '@ihf/auth';
import { HealthController, MetricsController } from '@ihf/observability';
import { preserveAuthCode } from './auth-refusal.js';

/** Controllers of `@ihf/observability`, which carry no `@Public()` (see README, lib gaps). */
const OPEN_CONTROLLERS: ReadonlySet<unknown> = new Set([HealthController, MetricsController]);

/**
 * `JwtAuthGuard`, except that health probes and metrics stay reachable without a token
 * (`@ihf/observability`'s controllers are not marked `@Public()`, and a global JWT guard would
 * answer 401 to the kubelet and to Prometheus), and that its refusals keep their `AUTH.*` code.
 */
@Injectable()
export class IdentityJwtAuthGuard extends JwtAuthGuard {
  constructor(reflector: Reflector) {
    super(reflector);
  }

  override async canActivate(context: ExecutionContext): Promise<boolean> {
    if (OPEN_CONTROLLERS.has(context.getClass())) return true;
    try {
      // AuthGuard's canActivate is async (passport), never an Observable.
      return await (super.canActivate(context) as Promise<boolean>);
    } catch (err) {
      throw preserveAuthCode(err);
    }
  }
}

/** `RolesGuard` whose 403 keeps its `AUTH.ROLE_REQUIRED` code. */
@Injectable()
export class IdentityRolesGuard extends RolesGuard {
  constructor(reflector: Reflector) {
    super(reflector);
  }

  override canActivate(context: ExecutionContext): boolean {
    try {
      return super.canActivate(context);
    } catch (err) {
      throw preserveAuthCode(err);
    }
  }
}
