import { randomUUID } from 'node:crypto';
import { STATUS_CODES } from 'node:http';
import { HttpException } from '@nestjs/common';
import {
  isDependencyUnavailable,
  UNAVAILABLE_RETRY_AFTER_SECONDS,
} from './dependency-unavailable.js';
import { DomainError } from './domain.error.js';
import { type FieldError, type Problem, problemType } from './problem.js';
import { RequestValidationError, VALIDATION_FAILED_CODE } from './request-validation.error.js';

/** Stable codes of plain HTTP errors (Nest `HttpException`s and framework errors), by status. */
export const HTTP_STATUS_CODES: Readonly<Record<number, string>> = {
  400: 'REQUEST.BAD_REQUEST',
  401: 'AUTH.UNAUTHORIZED',
  403: 'AUTH.FORBIDDEN',
  404: 'HTTP.NOT_FOUND',
  405: 'HTTP.METHOD_NOT_ALLOWED',
  406: 'HTTP.NOT_ACCEPTABLE',
  408: 'HTTP.REQUEST_TIMEOUT',
  409: 'HTTP.CONFLICT',
  410: 'HTTP.GONE',
  411: 'REQUEST.LENGTH_REQUIRED',
  412: 'HTTP.PRECONDITION_FAILED',
  413: 'REQUEST.BODY_TOO_LARGE',
  414: 'REQUEST.URI_TOO_LONG',
  415: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
  422: 'REQUEST.UNPROCESSABLE',
  428: 'HTTP.PRECONDITION_REQUIRED',
  429: 'HTTP.TOO_MANY_REQUESTS',
  431: 'REQUEST.HEADERS_TOO_LARGE',
  500: 'INTERNAL.ERROR',
  501: 'HTTP.NOT_IMPLEMENTED',
  502: 'HTTP.BAD_GATEWAY',
  503: 'HTTP.SERVICE_UNAVAILABLE',
  504: 'HTTP.GATEWAY_TIMEOUT',
};

/** Codes and details of the Fastify request errors a client causes, by Fastify error code. */
export const FASTIFY_ERROR_CODES: Readonly<Record<string, { code: string; detail: string }>> = {
  FST_ERR_CTP_INVALID_JSON_BODY: {
    code: 'REQUEST.MALFORMED_JSON',
    detail: 'The request body is not valid JSON',
  },
  FST_ERR_CTP_EMPTY_JSON_BODY: {
    code: 'REQUEST.EMPTY_BODY',
    detail: 'The request body is empty although its content type is application/json',
  },
  FST_ERR_CTP_BODY_TOO_LARGE: {
    code: 'REQUEST.BODY_TOO_LARGE',
    detail: 'The request body is larger than this endpoint accepts',
  },
  FST_ERR_CTP_INVALID_MEDIA_TYPE: {
    code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    detail: 'The content type of the request body is not supported',
  },
  FST_ERR_BAD_URL: {
    code: 'REQUEST.BAD_URL',
    detail: 'The URL is not valid (a bad percent-encoding, or a character not allowed in a path)',
  },
  FST_ERR_MAX_PARAM_LENGTH: {
    code: 'REQUEST.PARAMETER_TOO_LONG',
    detail: 'A path parameter is longer than any valid value',
  },
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: {
    code: 'REQUEST.INVALID_CONTENT_LENGTH',
    detail: 'The request body size does not match its Content-Length header',
  },
};

/** Detail of every 500: nothing about the cause, which only the log has. */
export const INTERNAL_ERROR_DETAIL =
  'An unexpected error occurred. Quote the error_id when reporting it.';

/** At most this many field errors are sent (the count is in `detail`). */
export const MAX_FIELD_ERRORS = 100;

/** The problem for an exception, and whether it is a server fault to log with its stack. */
export interface MappedProblem {
  readonly problem: Problem;
  /** True for 5xx: the problem carries an `error_id` under which the error must be logged. */
  readonly serverFault: boolean;
  /** Seconds to send as `Retry-After` (429, 503), when known. */
  readonly retryAfterSeconds?: number;
}

const RESERVED_MEMBERS = new Set([
  'type',
  'title',
  'status',
  'code',
  'detail',
  'instance',
  'errors',
  'error_id',
]);

/**
 * Maps anything thrown while handling a request to an RFC 9457 problem:
 *
 * - a {@link DomainError}: its status, code, message and extensions;
 * - a deadlock or serialization failure (40P01, 40001): 503 `SERVICE.CONCURRENT_UPDATE`
 *   with `Retry-After: 1`;
 * - a {@link RequestValidationError}: 400 `REQUEST.VALIDATION_FAILED` with `errors`
 *   (400, not 422, so that every malformed input, be it bad JSON or a bad field, is one
 *   status for clients; 422 is left to domain errors that reject well-formed input);
 * - a Fastify request error (bad JSON, body too large, unsupported media type…), also when
 *   Nest wrapped it in an `HttpException`: its 4xx status and a code of {@link FASTIFY_ERROR_CODES};
 * - any other `HttpException` or error with a 4xx `statusCode`: its status and the code of
 *   {@link HTTP_STATUS_CODES};
 * - anything else: 500 `INTERNAL.ERROR` with a generic detail.
 *
 * Every 5xx gets a new `error_id`; its detail never carries the thrown message, except for a
 * `DomainError`, whose message is written for clients.
 *
 * @param exception what was thrown
 * @param instance the request path, sent as `instance`
 * @param newErrorId generator of error ids (tests pass a fixed one)
 */
export function toProblem(
  exception: unknown,
  instance: string,
  newErrorId: () => string = randomUUID,
): MappedProblem {
  const build = (
    status: number,
    code: string,
    detail: string,
    extra: Record<string, unknown> = {},
  ): MappedProblem => {
    const serverFault = status >= 500;
    const problem: Problem = {
      ...extra,
      type: problemType(code),
      title: STATUS_CODES[status] ?? 'Error',
      status,
      code,
      detail,
      instance,
      ...(serverFault ? { error_id: newErrorId() } : {}),
    };
    return { problem, serverFault };
  };

  if (exception instanceof DomainError) {
    const extensions = Object.fromEntries(
      Object.entries(exception.extensions).filter(([key]) => !RESERVED_MEMBERS.has(key)),
    );
    const mapped = build(exception.status, exception.code, exception.message, extensions);
    return exception.retryAfterSeconds === undefined
      ? mapped
      : { ...mapped, retryAfterSeconds: exception.retryAfterSeconds };
  }

  // Text Postgres cannot store (NUL, unpaired surrogates in JSON) that got past the request
  // checks: the client's value, not an outage, so no Retry-After.
  if (hasSqlState(exception, UNSTORABLE_TEXT_STATES)) {
    return build(
      400,
      'REQUEST.UNSTORABLE_TEXT',
      'A value contains characters that cannot be stored (NUL or an unpaired UTF-16 surrogate)',
    );
  }

  // Two transactions that collided (a deadlock, a serialization failure): neither the client's
  // fault nor an outage, and the same request succeeds when sent again.
  if (hasSqlState(exception, CONCURRENCY_CONFLICT_STATES)) {
    return {
      ...build(
        503,
        'SERVICE.CONCURRENT_UPDATE',
        'The request collided with a concurrent change to the same data; send it again',
      ),
      retryAfterSeconds: 1,
    };
  }

  // Postgres down is not the client's fault, nor a bug: 503, and the client may retry.
  if (isDependencyUnavailable(exception)) {
    return {
      ...build(
        503,
        'SERVICE.UNAVAILABLE',
        'A backing service is temporarily unavailable; retry later',
      ),
      retryAfterSeconds: UNAVAILABLE_RETRY_AFTER_SECONDS,
    };
  }

  if (exception instanceof RequestValidationError) {
    const errors: FieldError[] = exception.fieldErrors.slice(0, MAX_FIELD_ERRORS);
    const count = exception.fieldErrors.length;
    return build(400, VALIDATION_FAILED_CODE, `The request has ${count} invalid field(s)`, {
      errors,
    });
  }

  const fastify = fastifyClientError(exception) ?? fastifyClientError(causeOf(exception));
  if (fastify) {
    return build(fastify.status, fastify.code, fastify.detail);
  }

  if (exception instanceof HttpException) {
    const status = exception.getStatus();
    return build(
      status,
      ownCodeOf(exception) ?? codeForStatus(status),
      detailOf(exception, status),
    );
  }

  const status = clientErrorStatus(exception);
  if (status !== undefined) {
    return build(status, codeForStatus(status), STATUS_CODES[status] ?? 'Client error');
  }

  return build(500, HTTP_STATUS_CODES[500], INTERNAL_ERROR_DETAIL);
}

/**
 * SQLSTATEs raised by text Postgres cannot store: 22021 (NUL in text), 22P05 (`\u0000` or an
 * unpaired surrogate escape in jsonb).
 */
const UNSTORABLE_TEXT_STATES = new Set(['22021', '22P05']);

/** 40001 (serialization failure) and 40P01 (deadlock detected): a retry succeeds. */
const CONCURRENCY_CONFLICT_STATES = new Set(['40001', '40P01']);

/** Whether `error` (or one of its causes: ORMs wrap driver errors) carries one of `states`. */
export function hasSqlState(error: unknown, states: ReadonlySet<string>): boolean {
  for (let e: unknown = error, depth = 0; e && depth < 5; depth++) {
    const { code, sqlState } = e as { code?: unknown; sqlState?: unknown };
    if (
      (typeof code === 'string' && states.has(code)) ||
      (typeof sqlState === 'string' && states.has(sqlState))
    ) {
      return true;
    }
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/** The stable code of a plain HTTP error with this status. */
export function codeForStatus(status: number): string {
  return HTTP_STATUS_CODES[status] ?? (status < 500 ? 'HTTP.CLIENT_ERROR' : 'INTERNAL.ERROR');
}

function detailOf(exception: HttpException, status: number): string {
  if (status === 500) return INTERNAL_ERROR_DETAIL;
  // A 5xx other than 500 was thrown on purpose (e.g. 503), but its message may still name
  // internals: the reason phrase says enough.
  if (status > 500) return STATUS_CODES[status] ?? 'Server error';
  const response = exception.getResponse();
  if (typeof response === 'string') return response;
  // A problem-shaped body (as the auth lib throws) carries its text in `detail`.
  const detail = (response as { detail?: unknown }).detail;
  if (typeof detail === 'string') return detail;
  const message = (response as { message?: unknown }).message;
  if (typeof message === 'string') return message;
  if (Array.isArray(message)) return message.map(String).join('; ');
  return exception.message;
}

/**
 * A stable code the exception's body already carries (e.g. `AUTH.ROLE_REQUIRED` from the auth
 * lib's exceptions), so that libs throwing Nest exceptions keep their codes.
 */
function ownCodeOf(exception: HttpException): string | undefined {
  const response = exception.getResponse();
  const code =
    typeof response === 'object' && response !== null
      ? (response as { code?: unknown }).code
      : undefined;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(code)
    ? code
    : undefined;
}

function causeOf(exception: unknown): unknown {
  return exception instanceof Error ? exception.cause : undefined;
}

/** A Fastify error (`FST_…` code) with a 4xx status, as a problem's status, code and detail. */
function fastifyClientError(
  error: unknown,
): { status: number; code: string; detail: string } | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { code, statusCode } = error as { code?: unknown; statusCode?: unknown };
  if (typeof code !== 'string' || !code.startsWith('FST_')) return undefined;
  if (typeof statusCode !== 'number' || statusCode < 400 || statusCode >= 500) return undefined;
  const known = FASTIFY_ERROR_CODES[code];
  return {
    status: statusCode,
    code: known?.code ?? codeForStatus(statusCode),
    detail: known?.detail ?? STATUS_CODES[statusCode] ?? 'Client error',
  };
}

/** The 4xx status of a non-Nest HTTP error (http-errors style `status`/`statusCode`). */
function clientErrorStatus(error: unknown): number | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const { status, statusCode } = error as { status?: unknown; statusCode?: unknown };
  const value = typeof statusCode === 'number' ? statusCode : status;
  return typeof value === 'number' && value >= 400 && value < 500 ? value : undefined;
}
