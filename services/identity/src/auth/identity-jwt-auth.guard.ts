import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { JwtAuthGuard } from '@ihf/auth';
import { HealthController, MetricsController } from '@ihf/observability';

/** Controllers of `@ihf/observability`, which carry no `@Public()` (see README, lib gaps). */
const OPEN_CONTROLLERS: ReadonlySet<unknown> = new Set([HealthController, MetricsController]);

/**
 * `JwtAuthGuard`, except that health probes and metrics stay reachable without a token:
 * `@ihf/observability`'s controllers are not marked `@Public()`, and a global JWT guard would
 * otherwise answer 401 to the kubelet and to Prometheus.
 */
@Injectable()
export class IdentityJwtAuthGuard extends JwtAuthGuard {
  constructor(reflector: Reflector) {
    super(reflector);
  }

  override canActivate(context: ExecutionContext): ReturnType<CanActivate['canActivate']> {
    if (OPEN_CONTROLLERS.has(context.getClass())) return true;
    return super.canActivate(context);
  }
}
