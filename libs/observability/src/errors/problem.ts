/** Content type of every error response (RFC 9457). */
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

/** One invalid input field of a validation problem. */
export interface FieldError {
  /** Path of the field in the request, e.g. `items[2].event_type`. */
  readonly field: string;
  /** The failed rule (class-validator constraint name), e.g. `isIn`, `whitelistValidation`. */
  readonly code: string;
  readonly message: string;
}

/**
 * An RFC 9457 problem as IHF sends it (snake_case members):
 *
 * - `type`: `urn:ihf:problem:<code>`, a stable identifier of the kind of problem;
 * - `title`: the HTTP reason phrase of `status`;
 * - `code`: the stable machine-readable code clients branch on (`FEEDBACK.CANDIDATE_NOT_FOUND`);
 * - `detail`: a human-readable explanation of this occurrence (never internals for a 5xx);
 * - `instance`: the request path;
 * - `errors`: field errors of a validation problem;
 * - `error_id`: for 5xx, the id under which the error was logged with its stack.
 *
 * Domain errors may add their own extension members (e.g. `allowed_transitions`).
 */
export interface Problem {
  readonly type: string;
  readonly title: string;
  readonly status: number;
  readonly code: string;
  readonly detail: string;
  readonly instance: string;
  readonly errors?: readonly FieldError[];
  readonly error_id?: string;
  readonly [extension: string]: unknown;
}

/** The `type` URI of a problem with the given code. */
export function problemType(code: string): string {
  return `urn:ihf:problem:${code}`;
}
