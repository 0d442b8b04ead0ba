import { IsInt, Matches, Max, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The deployment-outcomes service's configuration, validated once at boot (see `loadConfig`).
 * Every variable has a default except `IHF_JWKS_URL`; the service README lists them.
 */
export class DeploymentConfig extends TokenVerifyingServiceConfig {
  /** Default length of the before- and after-windows of a deployment, in days. */
  @IsInt()
  @Min(1)
  @Max(90)
  DEPLOYMENT_WINDOW_DAYS = 7;

  /** Below this many events (or views, or annotations) in a window a signal says "not enough data". */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  DEPLOYMENT_MIN_SAMPLE = 30;

  /**
   * The event type counted as a view (the denominator of friction per 1,000 views): the SDK's
   * and the v1 reporting contract's `viewed` unless a hub's UIs name it otherwise.
   */
  @Matches(/^[a-z][a-z0-9_]{0,63}$/, { message: 'an event type: lower snake case, 64 at most' })
  DEPLOYMENT_VIEW_EVENT_TYPE = 'viewed';

  /** How often the outcome scheduler looks for windows to measure (provisional and final). */
  @IsInt()
  @Min(1_000)
  @Max(86_400_000)
  DEPLOYMENT_SCHEDULER_INTERVAL_MS = 60_000;

  /** How often a provisional measurement is written while an after-window is open. */
  @IsInt()
  @Min(1_000)
  @Max(7 * 86_400_000)
  DEPLOYMENT_PROVISIONAL_EVERY_MS = 3_600_000;

  /** Messages per rollup batch (one transaction each). */
  @IsInt()
  @Min(1)
  @Max(50_000)
  DEPLOYMENT_ROLLUP_BATCH = 2_000;
}
