import { IsIn, IsInt, IsOptional, IsString, IsUrl, Max, MaxLength, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The agent-proposals service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL`. Without `AGENTS_LLM_BASE_URL` only the built-in
 * agents run; the service README lists every variable.
 */
export class AgentsConfig extends TokenVerifyingServiceConfig {
  /** Run the built-in agents (consumers of feedback, ingestion and governance events). */
  @IsIn(['true', 'false'])
  AGENTS_BUILTIN_ENABLED: 'true' | 'false' = 'true';

  /**
   * pg_trgm similarity (0..1) from which two candidates of a hub are flagged as duplicates.
   * 0.55 was chosen on reworded reports of one problem ("the checkout button is hidden" /
   * "checkout button hidden on mobile": ~0.6) against unrelated reports of one widget (< 0.3).
   */
  @IsInt()
  @Min(10)
  @Max(100)
  AGENTS_DUPLICATE_THRESHOLD_PCT = 55;

  /** An OpenAI-compatible chat-completions endpoint, e.g. `https://api.openai.com/v1`. */
  @IsOptional()
  @IsUrl({ require_tld: false, protocols: ['http', 'https'], require_protocol: true })
  AGENTS_LLM_BASE_URL?: string;

  @IsOptional()
  @IsString()
  @MaxLength(4096)
  AGENTS_LLM_API_KEY?: string;

  @IsString()
  @MaxLength(200)
  AGENTS_LLM_MODEL = 'gpt-4o-mini';

  /**
   * How long one chat-completions call may take. The model is asked inside an event's handling,
   * so timeout × attempts (plus back-off) stays under the consumers' 30 s ack wait.
   */
  @IsInt()
  @Min(100)
  @Max(12_000)
  AGENTS_LLM_TIMEOUT_MS = 8_000;

  /** Attempts per call (timeouts, 429 and 5xx are retried with exponential back-off). */
  @IsInt()
  @Min(1)
  @Max(3)
  AGENTS_LLM_MAX_ATTEMPTS = 3;

  /** Tokens (prompt + completion, as the endpoint reports them) one hub may spend per UTC day. */
  @IsInt()
  @Min(0)
  AGENTS_LLM_DAILY_TOKENS_PER_HUB = 200_000;
}
