import { DomainError } from '@ihf/observability';

/** An error whose response carries `Retry-After` (see {@link RetryAfterFilter}). */
export interface RetryAfter {
  readonly retryAfterSeconds: number;
}

/** Postgres could not be reached or did not answer in time: nothing was stored. */
export class StorageUnavailableError extends DomainError implements RetryAfter {
  constructor(
    readonly retryAfterSeconds: number,
    cause?: unknown,
  ) {
    super({
      code: 'INGESTION.STORAGE_UNAVAILABLE',
      status: 503,
      message: 'Storage is temporarily unavailable; nothing was stored. Retry later.',
      cause,
    });
  }
}

/** The hub's rate limit is exhausted. */
export class RateLimitedError extends DomainError implements RetryAfter {
  constructor(readonly retryAfterSeconds: number) {
    super({
      code: 'INGESTION.RATE_LIMITED',
      status: 429,
      message: `Too many events for this hub; retry in ${retryAfterSeconds} s`,
      extensions: { retry_after_seconds: retryAfterSeconds },
    });
  }
}

/** Whether `error` carries a Retry-After. */
export function hasRetryAfter(error: unknown): error is RetryAfter {
  return (
    typeof error === 'object' &&
    error !== null &&
    typeof (error as Partial<RetryAfter>).retryAfterSeconds === 'number'
  );
}

const CONNECTION_CODES = new Set([
  'ECONNREFUSED',
  'ECONNRESET',
  'EPIPE',
  'ETIMEDOUT',
  'ENOTFOUND',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'EAI_AGAIN',
]);

/**
 * Whether an error means "Postgres is unreachable" (connection refused or lost, server shutting
 * down, too many connections) rather than a fault in what was sent: then the client may retry.
 */
export function isConnectionError(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, message } = e as { code?: unknown; message?: unknown };
    if (typeof code === 'string') {
      if (CONNECTION_CODES.has(code)) return true;
      // SQLSTATE classes 08 (connection), 53 (resources), 57 (operator intervention).
      if (/^(08|53|57)[0-9A-Z]{3}$/.test(code)) return true;
    }
    if (
      typeof message === 'string' &&
      /connection terminated|connection (was )?(closed|refused|ended)|timeout exceeded when trying to connect|Connection terminated unexpectedly|Client has encountered a connection error|the database system is (starting up|shutting down)/i.test(
        message,
      )
    ) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}
