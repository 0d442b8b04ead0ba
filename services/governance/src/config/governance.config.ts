import { IsInt, IsOptional, Matches, Max, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The governance service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL`; the service README lists them.
 */
export class GovernanceConfig extends TokenVerifyingServiceConfig {
  /** How long a look-up at ingestion (widgets) or feedback (candidates) may take when the read model lags. */
  @IsInt()
  @Min(100)
  @Max(30_000)
  GOVERNANCE_LOOKUP_TIMEOUT_MS = 2000;

  /**
   * 32 bytes, base64: the AES-256-GCM key the hubs' webhook secrets are stored with. Without it
   * no webhook secret can be set (503), so no secret is ever stored in clear.
   */
  @IsOptional()
  @Matches(/^[A-Za-z0-9+/]{43}=$/, { message: 'GOVERNANCE_SECRET_KEY must be 32 bytes in base64' })
  GOVERNANCE_SECRET_KEY?: string;
}
