import { IsInt, IsString, IsUrl, Max, Min, MinLength } from 'class-validator';
import { ServiceConfig } from '@ihf/platform';

/**
 * The feedback service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL`; the service README lists them.
 */
export class FeedbackConfig extends ServiceConfig {
  /** Where identity publishes the keys that sign user JWTs. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  IHF_JWKS_URL!: string;

  @IsString()
  @MinLength(1)
  IHF_JWT_ISSUER = 'ihf-identity';

  @IsString()
  @MinLength(1)
  IHF_JWT_AUDIENCE = 'ihf';

  /** How long a widget look-up at ingestion may take when the read model has not caught up. */
  @IsInt()
  @Min(100)
  @Max(30_000)
  FEEDBACK_WIDGET_LOOKUP_TIMEOUT_MS = 2000;
}
