import {
  IsEmail,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { ServiceConfig } from '@ihf/platform';

/**
 * The identity service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except the secrets; README.md lists them.
 */
export class IdentityConfig extends ServiceConfig {
  /** `production` refuses to generate a development signing key. */
  @IsIn(['development', 'test', 'production'])
  NODE_ENV = 'development';

  /**
   * First admin, created at start when no active admin exists. Used only when both are set (a
   * deployment may keep the password secret optional once the admin exists); one without the
   * other is reported as a warning at start.
   */
  @IsOptional()
  @IsEmail({ require_tld: false }, { message: 'must be an e-mail address' })
  IHF_ADMIN_EMAIL?: string;

  @IsOptional()
  @IsString()
  IHF_ADMIN_PASSWORD?: string;

  /** Display name of the bootstrap admin. */
  @IsString()
  @MaxLength(200)
  IHF_ADMIN_NAME = 'Administrator';

  /** PEM file of the private key that signs access tokens (RSA >= 2048 bits or EC P-256). */
  @IsOptional()
  @IsString()
  IHF_JWT_PRIVATE_KEY_FILE?: string;

  /**
   * Comma-separated PEM files (private or public) of keys that are published in the JWKS but do
   * not sign: the previous key during a rotation, or the next one before it starts signing.
   */
  @IsOptional()
  @IsString()
  IHF_JWT_ADDITIONAL_KEY_FILES?: string;

  /** Where a development key is generated when IHF_JWT_PRIVATE_KEY_FILE is not set. */
  @IsString()
  IHF_JWT_DEV_KEY_DIR = '.ihf/keys';

  @IsString()
  @MinLength(1)
  IHF_JWT_ISSUER = 'ihf-identity';

  @IsString()
  @MinLength(1)
  IHF_JWT_AUDIENCE = 'ihf';

  /** Access token lifetime; services refuse tokens living longer than 3600 s. */
  @IsInt()
  @Min(60)
  @Max(3600)
  IHF_ACCESS_TOKEN_TTL_SEC = 900;

  /** Refresh token lifetime (each rotation starts a new period). */
  @IsInt()
  @Min(300)
  @Max(90 * 24 * 3600)
  IHF_REFRESH_TOKEN_TTL_SEC = 14 * 24 * 3600;

  /** Failed sign-ins in a row after which the account is locked. */
  @IsInt()
  @Min(1)
  @Max(100)
  IHF_LOGIN_MAX_FAILURES = 5;

  /** Seconds after which a lock lapses by itself; 0 = only an admin unlocks. */
  @IsInt()
  @Min(0)
  IHF_LOGIN_LOCKOUT_COOLDOWN_SEC = 900;

  /** argon2id memory cost in KiB (OWASP: 19456 with 2 passes). */
  @IsInt()
  @Min(1024)
  @Max(4 * 1024 * 1024)
  IHF_ARGON2_MEMORY_KIB = 19456;

  /** argon2id passes (time cost). */
  @IsInt()
  @Min(1)
  @Max(20)
  IHF_ARGON2_ITERATIONS = 2;

  /** argon2id lanes. */
  @IsInt()
  @Min(1)
  @Max(16)
  IHF_ARGON2_PARALLELISM = 1;
}
