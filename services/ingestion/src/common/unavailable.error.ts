import { DomainError, isDependencyUnavailable } from '@ihf/observability';

/**
 * Postgres could not be reached or did not answer in time. The outcome is unknown to the
 * client (a write whose commit answer was lost may be stored), never committed after this
 * answer: resending the same ids is the remedy, and safe (they are deduplicated forever).
 */
export class StorageUnavailableError extends DomainError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super({
      code: 'INGESTION.STORAGE_UNAVAILABLE',
      status: 503,
      message:
        'Storage did not confirm the write in time; its outcome is unknown. Resend the same events with the same ids after Retry-After (ids are deduplicated).',
      cause,
      retryAfterSeconds,
    });
  }
}

/** The hub's rate limit is exhausted. */
export class RateLimitedError extends DomainError {
  constructor(retryAfterSeconds: number) {
    super({
      code: 'INGESTION.RATE_LIMITED',
      status: 429,
      message: `Too many events for this hub; retry in ${retryAfterSeconds} s`,
      extensions: { retry_after_seconds: retryAfterSeconds },
      retryAfterSeconds,
    });
  }
}

/**
 * Whether an error means "Postgres is unreachable" rather than a fault in what was sent: then
 * the client may retry. The platform's classifier (also used by the problem filter and the
 * event consumers).
 */
export const isConnectionError = isDependencyUnavailable;

/** Which admission bound refused a report. */
export type OverloadReason = 'in_flight' | 'event_loop_delay' | 'connections' | 'pending_events';

/** The replica is at capacity (an admission bound): nothing of this request was stored. */
export class OverloadedError extends DomainError {
  constructor(retryAfterSeconds: number, reason: OverloadReason) {
    super({
      code: 'INGESTION.OVERLOADED',
      status: 503,
      message: `The service is at capacity; nothing of this request was stored. Retry in ${retryAfterSeconds} s.`,
      extensions: { reason, retry_after_seconds: retryAfterSeconds },
      retryAfterSeconds,
    });
  }
}
