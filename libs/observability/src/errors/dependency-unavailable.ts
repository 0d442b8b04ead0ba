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

const CONNECTION_MESSAGES =
  /connection terminated|connection (was )?(closed|refused|ended)|timeout exceeded when trying to connect|Client has encountered a connection error|the database system is (starting up|shutting down)/i;

/**
 * SQLSTATEs of classes 08/53/57 that a request's own content causes, so retrying cannot help:
 * 08P01 (protocol violation) is what Postgres answers to SQL text holding a NUL character.
 */
const NOT_AN_OUTAGE = new Set(['08P01']);

/**
 * Whether an error means "a backing service (Postgres) is unreachable or refusing work" rather
 * than "what was asked is wrong": connection refused or lost, SQLSTATE classes 08 (connection),
 * 53 (insufficient resources) and 57 (operator intervention: shutdown, cancelled by timeout).
 * HTTP answers 503 with Retry-After for these, and event consumers retry them without counting
 * towards dead-lettering. Follows `cause` chains (ORMs wrap driver errors).
 */
export function isDependencyUnavailable(error: unknown): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, sqlState, message, name } = e as {
      code?: unknown;
      sqlState?: unknown;
      message?: unknown;
      name?: unknown;
    };
    for (const c of [code, sqlState]) {
      if (typeof c !== 'string') continue;
      if (NOT_AN_OUTAGE.has(c)) return false;
      if (CONNECTION_CODES.has(c)) return true;
      if (/^(08|53|57)[0-9A-Z]{3}$/.test(c)) return true;
    }
    if (name === 'ConnectionException') return true;
    if (typeof message === 'string' && CONNECTION_MESSAGES.test(message)) return true;
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** Seconds a client is told to wait when a backing service is unavailable. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;
