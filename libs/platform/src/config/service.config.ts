import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUrl,
  Matches,
  Max,
  Min,
  MinLength,
} from 'class-validator';
import { LOG_LEVELS } from '@ihf/observability';

/**
 * The variables every IHF service reads. A service's own config class extends it:
 *
 * ```ts
 * export class IdentityConfig extends ServiceConfig {
 *   @IsString() IHF_ADMIN_EMAIL!: string;
 * }
 * ```
 */
export class ServiceConfig {
  /** HTTP port; unset means the service's default port (see `bootstrapService`). */
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(65535)
  PORT?: number;

  /** Interface to listen on. */
  @IsString()
  HOST = '0.0.0.0';

  /** pino level. */
  @IsIn(LOG_LEVELS)
  LOG_LEVEL = 'info';

  /** PostgreSQL connection URL. */
  @Matches(/^postgres(ql)?:\/\//, { message: 'must be a postgres:// or postgresql:// URL' })
  DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ihf';

  /** NATS server(s), comma-separated. */
  @Matches(/^(nats|tls|wss?):\/\/[^,\s]+(,(nats|tls|wss?):\/\/[^,\s]+)*$/, {
    message: 'must be one or more comma-separated nats:// URLs',
  })
  NATS_URL = 'nats://127.0.0.1:4222';

  /** Prefix of subjects, streams and consumers, so that several stacks can share a NATS. */
  @Matches(/^[A-Za-z0-9_-]*$/, { message: 'may only contain letters, digits, _ and -' })
  IHF_NATS_NAMESPACE = '';

  /** How long readiness reports 503 before the server closes, on SIGTERM/SIGINT. */
  @IsInt()
  @Min(0)
  @Max(120_000)
  SHUTDOWN_GRACE_MS = 5000;

  /** Trust `X-Forwarded-*` headers (behind an ingress or load balancer). */
  @IsBoolean()
  TRUST_PROXY = false;

  /**
   * Browser origins allowed to call this service (CORS), comma-separated, or `*` for any.
   * External UIs post from their own origin with an `Authorization` header, so the reporting
   * endpoints need it; cookies are never used, so `*` gives no ambient-credential risk.
   * Empty: no CORS headers (same-origin and server-to-server callers only).
   */
  @IsString()
  CORS_ALLOWED_ORIGINS = '';
}

/**
 * The common variables plus those of a service that verifies users' JWTs against identity's
 * keys (every service but identity). A service's config extends it.
 */
export class TokenVerifyingServiceConfig extends ServiceConfig {
  /** Where identity publishes the keys that sign user JWTs. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  IHF_JWKS_URL!: string;

  /** Expected `iss` of tokens. */
  @IsString()
  @MinLength(1)
  IHF_JWT_ISSUER = 'ihf-identity';

  /** Expected `aud` of tokens. */
  @IsString()
  @MinLength(1)
  IHF_JWT_AUDIENCE = 'ihf';
}
