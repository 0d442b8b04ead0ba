import { IsIn, IsInt, Max, Min } from 'class-validator';
import { TokenVerifyingServiceConfig } from '@ihf/platform';

/**
 * The ingestion service's configuration, validated once at boot (see `loadConfig`). Every
 * variable has a default except `IHF_JWKS_URL`; the service README lists them.
 */
export class IngestionConfig extends TokenVerifyingServiceConfig {
  /** Largest number of events in one reporting request. */
  @IsInt()
  @Min(1)
  @Max(10_000)
  INGESTION_MAX_BATCH_EVENTS = 1000;

  /** Largest reporting body in bytes, measured after decompression (and before, for gzip). */
  @IsInt()
  @Min(1024)
  @Max(16 * 1024 * 1024)
  INGESTION_MAX_BODY_BYTES = 1_048_576;

  /** Longest a reported event waits for other requests' events to share its INSERT. */
  @IsInt()
  @Min(0)
  @Max(100)
  INGESTION_GROUP_COMMIT_MAX_WAIT_MS = 3;

  /** Rows at which a group commit is flushed at once, without waiting. */
  @IsInt()
  @Min(1)
  @Max(50_000)
  INGESTION_GROUP_COMMIT_MAX_ROWS = 5000;

  /**
   * How long a "me too" waits for feedback to confirm its candidate (issue 16); without an
   * answer in time it is accepted and feedback decides.
   */
  @IsInt()
  @Min(50)
  @Max(10_000)
  INGESTION_CANDIDATE_LOOKUP_TIMEOUT_MS = 1000;

  /** Longest a group commit may take before the requests get 503 (their events may still land). */
  @IsInt()
  @Min(100)
  @Max(60_000)
  INGESTION_DB_WRITE_TIMEOUT_MS = 5000;

  /**
   * How long a verified (or unknown) API key is cached. Revocations apply at once on every
   * replica (announced by Postgres); this bounds staleness if an announcement is missed.
   */
  @IsInt()
  @Min(0)
  @Max(300_000)
  INGESTION_API_KEY_CACHE_TTL_MS = 60_000;

  /** How long the active contracts are cached before being re-read. */
  @IsInt()
  @Min(0)
  @Max(60_000)
  INGESTION_CONTRACT_CACHE_TTL_MS = 5000;

  /** Per hub and replica: events per second refilled into the hub's bucket. */
  @IsInt()
  @Min(1)
  INGESTION_RATE_LIMIT_EVENTS_PER_SEC = 2000;

  /** Per hub and replica: the bucket's size (the largest burst). */
  @IsInt()
  @Min(1)
  INGESTION_RATE_LIMIT_BURST = 10_000;

  /** Seconds in the `Retry-After` of a 503 when Postgres is unavailable. */
  @IsInt()
  @Min(1)
  @Max(3600)
  INGESTION_RETRY_AFTER_SEC = 5;

  /**
   * Reporting requests worked on at once per replica; more are answered 503 + Retry-After
   * before their body is read (admission control: an overload costs 503s, not latency).
   */
  @IsInt()
  @Min(1)
  @Max(100_000)
  INGESTION_MAX_IN_FLIGHT_REQUESTS = 256;

  /**
   * Open HTTP connections per replica beyond which a newly accepted one gets its reporting
   * requests answered 503 + Retry-After + `Connection: close` at once (a connection storm is
   * answered and its sockets freed, instead of queueing behind the in-flight bound). Keep it
   * above the connections that clients and proxies hold open in normal work: a kept-alive
   * connection beyond it is refused and closed on every request, so its client reconnects
   * again and again (measured: with 1,000 against the benchmark's 2,048 kept-alive
   * connections, the overload got worse).
   */
  @IsInt()
  @Min(1)
  @Max(1_000_000)
  INGESTION_MAX_CONNECTIONS = 4096;

  /**
   * Where the relay of stored interaction events to IHF_EVENTS runs: `worker` (a worker thread,
   * off the event loop that answers reporting requests) or `main` (the request event loop).
   * See the benchmark README for what each measured.
   */
  @IsIn(['worker', 'main'])
  INGESTION_TAIL_RELAY_THREAD: 'worker' | 'main' = 'worker';

  /** Event-loop delay (ms) which, held for a second, gets new reporting requests a 503. */
  @IsInt()
  @Min(10)
  @Max(60_000)
  INGESTION_MAX_EVENT_LOOP_DELAY_MS = 500;

  /** Events waiting for or in a group commit beyond which new reports are answered 503. */
  @IsInt()
  @Min(1000)
  @Max(10_000_000)
  INGESTION_MAX_PENDING_EVENTS = 50_000;

  /** Seconds in the `Retry-After` of a 503 for an overload (in-flight, loop delay, backlog). */
  @IsInt()
  @Min(1)
  @Max(3600)
  INGESTION_OVERLOAD_RETRY_AFTER_SEC = 1;

  /**
   * How long a widget's hub, status and version are cached for validation. Changes apply at
   * once on every replica (announced by Postgres); this bounds staleness if one is missed.
   */
  @IsInt()
  @Min(0)
  @Max(300_000)
  INGESTION_WIDGET_CACHE_TTL_MS = 60_000;

  /** Days a refused event is kept in quarantine. */
  @IsInt()
  @Min(1)
  @Max(3650)
  INGESTION_QUARANTINE_RETENTION_DAYS = 30;

  /** Largest raw event kept in quarantine, in bytes of JSON; larger ones keep a stub. */
  @IsInt()
  @Min(256)
  @Max(1_048_576)
  INGESTION_QUARANTINE_RAW_MAX_BYTES = 16_384;
}
