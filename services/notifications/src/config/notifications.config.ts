import { IsInt, IsOptional, IsString, IsUrl, Matches, Max, MaxLength, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The notifications service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL` and `NOTIFICATIONS_SECRET_KEY`; the README
 * lists them.
 */
export class NotificationsConfig extends TokenVerifyingServiceConfig {
  /**
   * 32 bytes, base64: seals the webhook secrets at rest (AES-256-GCM) and signs the
   * unsubscribe links (HMAC-SHA256 under a key derived from it).
   */
  @Matches(/^[A-Za-z0-9+/]{43}=$/, {
    message: 'NOTIFICATIONS_SECRET_KEY must be 32 bytes in base64',
  })
  NOTIFICATIONS_SECRET_KEY!: string;

  /** Where mail is handed over: `smtp://host:port` (mailpit in compose) or `smtps://…`. */
  @Matches(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL must be smtp://host:port or smtps://…' })
  SMTP_URL = 'smtp://127.0.0.1:1025';

  /** The From of every mail. */
  @IsString()
  @MaxLength(200)
  MAIL_FROM = 'IHF <notifications@ihf.invalid>';

  /** The public base URL of this service, for the unsubscribe links in mails. */
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  NOTIFICATIONS_PUBLIC_URL = 'http://127.0.0.1:3006';

  /** Immediate mails per user per hour; more are folded into the user's next digest. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  EMAIL_RATE_LIMIT_PER_HOUR = 20;

  /** How long a digest collects before it is sent (a day). */
  @IsInt()
  @Min(1_000)
  @Max(7 * 86_400_000)
  EMAIL_DIGEST_INTERVAL_MS = 86_400_000;

  /** How long a webhook delivery is retried before it fails for good (about a day). */
  @IsInt()
  @Min(1_000)
  @Max(7 * 86_400_000)
  WEBHOOK_RETRY_HORIZON_MS = 86_400_000;

  /** The first retry's delay; each next one doubles (with jitter), up to WEBHOOK_RETRY_MAX_DELAY_MS. */
  @IsInt()
  @Min(100)
  @Max(3_600_000)
  WEBHOOK_RETRY_BASE_MS = 30_000;

  @IsInt()
  @Min(100)
  @Max(86_400_000)
  WEBHOOK_RETRY_MAX_DELAY_MS = 3_600_000;

  /** The whole of one delivery (DNS, connect, response) may take this long. */
  @IsInt()
  @Min(100)
  @Max(60_000)
  WEBHOOK_TIMEOUT_MS = 10_000;

  /** How long the previous secret keeps signing beside the new one after a rotation. */
  @IsInt()
  @Min(0)
  @Max(30 * 86_400_000)
  WEBHOOK_SECRET_OVERLAP_MS = 86_400_000;

  /**
   * Private, loopback or link-local destinations that webhooks may reach anyway: a comma
   * separated list of addresses or CIDR ranges (e.g. `127.0.0.1/32,::1/128`). Empty: none.
   */
  @IsOptional()
  @Matches(/^[0-9a-fA-F:.,/ ]*$/, {
    message: 'WEBHOOK_ALLOWED_PRIVATE_CIDRS must list IP addresses or CIDR ranges',
  })
  WEBHOOK_ALLOWED_PRIVATE_CIDRS = '';

  /** How often the e-mail and webhook workers look for due work. */
  @IsInt()
  @Min(50)
  @Max(60_000)
  NOTIFICATIONS_POLL_MS = 1_000;
}
