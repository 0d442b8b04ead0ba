/** What a {@link DomainError} subclass passes to its base constructor. */
export interface DomainErrorInit {
  /** Stable code, `<SERVICE>.<REASON>` in upper snake case, e.g. `FEEDBACK.CANDIDATE_NOT_FOUND`. */
  readonly code: string;
  /** HTTP status the problem filter answers with (4xx for a caller's mistake). */
  readonly status: number;
  /** Human-readable explanation, sent as the problem's `detail`: write it for API clients. */
  readonly message: string;
  /**
   * Extra problem members, snake_case, e.g. `{ allowed_transitions: ['accepted'] }`. They
   * cannot override the standard members (`type`, `status`, `code`, …).
   */
  readonly extensions?: Readonly<Record<string, unknown>>;
  /** The underlying error, if any (logged, never sent). */
  readonly cause?: unknown;
  /** For 429 and 503: seconds after which a retry may succeed (sent as `Retry-After`). */
  readonly retryAfterSeconds?: number;
}

/**
 * Base class of the errors a service's domain raises on purpose. The problem filter maps each
 * to problem+json with its status, code, message and extensions. Subclass it once per reason:
 *
 * ```ts
 * export class CandidateNotFoundError extends DomainError {
 *   constructor(id: string) {
 *     super({ code: 'FEEDBACK.CANDIDATE_NOT_FOUND', status: 404, message: `Requirement candidate ${id} does not exist` });
 *   }
 * }
 *
 * export class TransitionNotAllowedError extends DomainError {
 *   constructor(from: string, to: string, allowed: string[]) {
 *     super({
 *       code: 'FEEDBACK.TRANSITION_NOT_ALLOWED',
 *       status: 409,
 *       message: `A candidate in '${from}' cannot move to '${to}'`,
 *       extensions: { allowed_transitions: allowed },
 *     });
 *   }
 * }
 * ```
 *
 * A status of 500 or more is treated as a server fault: the response carries an `error_id`
 * and the error is logged with its stack, but the message is still sent (it is yours).
 */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly status: number;
  readonly extensions: Readonly<Record<string, unknown>>;
  readonly retryAfterSeconds?: number;

  protected constructor(init: DomainErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.name = new.target.name;
    this.code = init.code;
    this.status = init.status;
    this.extensions = init.extensions ?? {};
    this.retryAfterSeconds = init.retryAfterSeconds;
  }
}
