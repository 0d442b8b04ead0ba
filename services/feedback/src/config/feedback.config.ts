import { IsInt, Max, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The feedback service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL`; the service README lists them.
 */
export class FeedbackConfig extends TokenVerifyingServiceConfig {
  /** How long a widget look-up at ingestion may take when the read model has not caught up. */
  @IsInt()
  @Min(100)
  @Max(30_000)
  FEEDBACK_WIDGET_LOOKUP_TIMEOUT_MS = 2000;
}
