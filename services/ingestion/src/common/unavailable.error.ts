import { DomainError, isDependencyUnavailable } from '@ihf/observability';

/** Postgres could not be reached or did not answer in time: nothing was stored. */
export class StorageUnavailableError extends DomainError {
  constructor(retryAfterSeconds: number, cause?: unknown) {
    super({
      code: 'INGESTION.STORAGE_UNAVAILABLE',
      status: 503,
      message: 'Storage is temporarily unavailable; nothing was stored. Retry later.',
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
export type OverloadReason = 'in_flight' | 'event_loop_delay' | 'pending_events';

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
