import {
  BadRequestException,
  ConflictException,
  ForbiddenException,
  HttpException,
  InternalServerErrorException,
  NotFoundException,
  PayloadTooLargeException,
  ServiceUnavailableException,
  UnauthorizedException,
  UnprocessableEntityException,
  UnsupportedMediaTypeException,
} from '@nestjs/common';
import { DomainError } from './domain.error.js';
import { isDependencyUnavailable } from './dependency-unavailable.js';
import { INTERNAL_ERROR_DETAIL, MAX_FIELD_ERRORS, toProblem } from './problem.mapper.js';
import { RequestValidationError } from './request-validation.error.js';

class CandidateNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.CANDIDATE_NOT_FOUND',
      status: 404,
      message: `Requirement candidate ${id} does not exist`,
    });
  }
}

class TransitionNotAllowedError extends DomainError {
  constructor() {
    super({
      code: 'FEEDBACK.TRANSITION_NOT_ALLOWED',
      status: 409,
      message: 'Cannot move from new to done',
      extensions: { allowed_transitions: ['triaged'], status: 999, code: 'HIJACK' },
    });
  }
}

class UpstreamDownError extends DomainError {
  constructor() {
    super({ code: 'GOVERNANCE.UPSTREAM_DOWN', status: 502, message: 'Identity did not answer' });
  }
}

/** A Fastify error as Fastify creates it (code, statusCode), optionally wrapped as Nest does. */
function fastifyError(code: string, statusCode: number, wrapped = true): unknown {
  const error = Object.assign(new Error(`fastify ${code}`), { code, statusCode });
  return wrapped ? new HttpException(error.message, statusCode, { cause: error }) : error;
}

const ID = 'a1b2c3d4-0000-4000-8000-000000000000';
const map = (exception: unknown) => toProblem(exception, '/api/v1/x', () => ID);

describe('toProblem', () => {
  it('answers an unreachable database with 503 and Retry-After, not a 500', () => {
    const refused = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    const wrapped = new Error('driver failed', { cause: refused });
    for (const error of [refused, wrapped, Object.assign(new Error('x'), { code: '57P01' })]) {
      const mapped = map(error);
      expect(mapped.problem).toMatchObject({ status: 503, code: 'SERVICE.UNAVAILABLE' });
      expect(mapped.retryAfterSeconds).toBe(5);
    }
    // A constraint violation is not an outage.
    expect(map(Object.assign(new Error('dup'), { code: '23505' })).problem.status).toBe(500);
  });

  it('answers text Postgres cannot store with a 400, never an outage with Retry-After', () => {
    const pgError = (code: string, message: string) =>
      new Error('query failed', { cause: Object.assign(new Error(message), { code }) });
    for (const error of [
      pgError('22021', 'invalid byte sequence for encoding "UTF8": 0x00'),
      pgError('22P05', 'unsupported Unicode escape sequence'),
    ]) {
      const mapped = map(error);
      expect(mapped.problem).toMatchObject({ status: 400, code: 'REQUEST.UNSTORABLE_TEXT' });
      expect(mapped.retryAfterSeconds).toBeUndefined();
    }
    // A NUL inlined into SQL text: Postgres answers 08P01, a fault of what was sent, not an outage.
    const protocol = map(pgError('08P01', 'invalid message format'));
    expect(protocol.problem.status).toBe(500);
    expect(protocol.retryAfterSeconds).toBeUndefined();
    expect(isDependencyUnavailable(pgError('08P01', 'invalid message format'))).toBe(false);
    expect(isDependencyUnavailable(pgError('08006', 'connection failure'))).toBe(true);
  });

  it('answers a deadlock or serialization failure with 503 and a short Retry-After, not a 500', () => {
    for (const code of ['40P01', '40001']) {
      const error = new Error('query failed', {
        cause: Object.assign(new Error('deadlock detected'), { code }),
      });
      const mapped = map(error);
      expect(mapped.problem).toMatchObject({ status: 503, code: 'SERVICE.CONCURRENT_UPDATE' });
      expect(mapped.retryAfterSeconds).toBe(1);
    }
  });

  it("carries a DomainError's Retry-After", () => {
    class Busy extends DomainError {
      constructor() {
        super({ code: 'X.BUSY', status: 429, message: 'slow down', retryAfterSeconds: 7 });
      }
    }
    expect(map(new Busy())).toMatchObject({ problem: { status: 429 }, retryAfterSeconds: 7 });
  });

  it('keeps the stable code an HttpException body carries (as the auth lib throws them)', () => {
    const { problem } = map(
      new ForbiddenException({
        code: 'AUTH.ROLE_REQUIRED',
        message: 'This needs the triager role',
      }),
    );
    expect(problem).toMatchObject({
      status: 403,
      code: 'AUTH.ROLE_REQUIRED',
      detail: 'This needs the triager role',
    });
    expect(
      map(
        new UnauthorizedException({
          code: 'AUTH.UNAUTHENTICATED',
          detail: 'A valid bearer token is required',
        }),
      ).problem,
    ).toMatchObject({
      status: 401,
      code: 'AUTH.UNAUTHENTICATED',
      detail: 'A valid bearer token is required',
    });
    // Not a stable code: falls back to the status's code.
    expect(map(new ForbiddenException({ code: 'nope', message: 'x' })).problem.code).toBe(
      'AUTH.FORBIDDEN',
    );
  });

  describe('DomainError', () => {
    it('answers with its status, code and message', () => {
      expect(map(new CandidateNotFoundError('c1'))).toEqual({
        serverFault: false,
        problem: {
          type: 'urn:ihf:problem:FEEDBACK.CANDIDATE_NOT_FOUND',
          title: 'Not Found',
          status: 404,
          code: 'FEEDBACK.CANDIDATE_NOT_FOUND',
          detail: 'Requirement candidate c1 does not exist',
          instance: '/api/v1/x',
        },
      });
    });

    it('adds its extensions, but never over the standard members', () => {
      const { problem } = map(new TransitionNotAllowedError());
      expect(problem).toMatchObject({
        status: 409,
        code: 'FEEDBACK.TRANSITION_NOT_ALLOWED',
        allowed_transitions: ['triaged'],
      });
    });

    it('is a server fault with an error_id when its status is 5xx', () => {
      const { problem, serverFault } = map(new UpstreamDownError());
      expect(serverFault).toBe(true);
      expect(problem).toMatchObject({
        status: 502,
        detail: 'Identity did not answer',
        error_id: ID,
      });
    });
  });

  describe('RequestValidationError', () => {
    it('answers 400 with the field errors', () => {
      const errors = [{ field: 'items[2].event_type', code: 'isIn', message: 'bad' }];
      expect(map(new RequestValidationError(errors)).problem).toEqual({
        type: 'urn:ihf:problem:REQUEST.VALIDATION_FAILED',
        title: 'Bad Request',
        status: 400,
        code: 'REQUEST.VALIDATION_FAILED',
        detail: 'The request has 1 invalid field(s)',
        instance: '/api/v1/x',
        errors,
      });
    });

    it('sends at most MAX_FIELD_ERRORS field errors but counts them all', () => {
      const errors = Array.from({ length: MAX_FIELD_ERRORS + 5 }, (_, i) => ({
        field: `f${i}`,
        code: 'isString',
        message: 'bad',
      }));
      const { problem } = map(new RequestValidationError(errors));
      expect(problem.errors).toHaveLength(MAX_FIELD_ERRORS);
      expect(problem.detail).toBe(`The request has ${MAX_FIELD_ERRORS + 5} invalid field(s)`);
    });
  });

  describe('Fastify request errors', () => {
    it.each([
      ['FST_ERR_CTP_INVALID_JSON_BODY', 400, 'REQUEST.MALFORMED_JSON'],
      ['FST_ERR_CTP_EMPTY_JSON_BODY', 400, 'REQUEST.EMPTY_BODY'],
      ['FST_ERR_CTP_BODY_TOO_LARGE', 413, 'REQUEST.BODY_TOO_LARGE'],
      ['FST_ERR_CTP_INVALID_MEDIA_TYPE', 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
      ['FST_ERR_CTP_INVALID_CONTENT_LENGTH', 400, 'REQUEST.INVALID_CONTENT_LENGTH'],
      ['FST_ERR_SOMETHING_NEW', 405, 'HTTP.METHOD_NOT_ALLOWED'],
    ])('maps %s (as Nest wraps it) to %i %s', (fstCode, status, code) => {
      const { problem, serverFault } = map(fastifyError(fstCode, status));
      expect(serverFault).toBe(false);
      expect(problem).toMatchObject({ status, code });
      expect(problem.detail).not.toContain('fastify');
    });

    it('maps an unwrapped Fastify error the same way', () => {
      expect(map(fastifyError('FST_ERR_CTP_BODY_TOO_LARGE', 413, false)).problem).toMatchObject({
        status: 413,
        code: 'REQUEST.BODY_TOO_LARGE',
      });
    });

    it('treats a 5xx Fastify error as unexpected', () => {
      const { problem, serverFault } = map(fastifyError('FST_ERR_HANDLER_TIMEOUT', 503, false));
      expect(serverFault).toBe(true);
      expect(problem).toMatchObject({ status: 500, code: 'INTERNAL.ERROR', error_id: ID });
    });
  });

  describe('HttpException', () => {
    it.each([
      [new BadRequestException('Validation failed (uuid is expected)'), 400, 'REQUEST.BAD_REQUEST'],
      [new UnauthorizedException(), 401, 'AUTH.UNAUTHORIZED'],
      [new ForbiddenException('Not a member of this hub'), 403, 'AUTH.FORBIDDEN'],
      [new NotFoundException('Cannot GET /nope'), 404, 'HTTP.NOT_FOUND'],
      [new ConflictException(), 409, 'HTTP.CONFLICT'],
      [new PayloadTooLargeException(), 413, 'REQUEST.BODY_TOO_LARGE'],
      [new UnsupportedMediaTypeException(), 415, 'REQUEST.UNSUPPORTED_MEDIA_TYPE'],
      [new UnprocessableEntityException(), 422, 'REQUEST.UNPROCESSABLE'],
      [new HttpException('Slow down', 429), 429, 'HTTP.TOO_MANY_REQUESTS'],
      [new HttpException('Teapot', 418), 418, 'HTTP.CLIENT_ERROR'],
    ])('maps %p to %i %s', (exception, status, code) => {
      const { problem, serverFault } = map(exception);
      expect(serverFault).toBe(false);
      expect(problem).toMatchObject({ status, code, instance: '/api/v1/x' });
      expect(problem.error_id).toBeUndefined();
    });

    it('uses the message as detail, joining a list of messages', () => {
      expect(map(new NotFoundException('Cannot GET /nope')).problem.detail).toBe(
        'Cannot GET /nope',
      );
      expect(map(new BadRequestException(['a is bad', 'b is bad'])).problem.detail).toBe(
        'a is bad; b is bad',
      );
    });

    it('hides the message of a 500 and gives it an error_id', () => {
      const { problem, serverFault } = map(new InternalServerErrorException('pool exhausted'));
      expect(serverFault).toBe(true);
      expect(problem).toMatchObject({
        status: 500,
        code: 'INTERNAL.ERROR',
        detail: INTERNAL_ERROR_DETAIL,
        error_id: ID,
      });
    });

    it('keeps the status of a deliberate 503 but not its message', () => {
      const { problem } = map(new ServiceUnavailableException('postgres at 10.0.0.7 is down'));
      expect(problem).toMatchObject({
        status: 503,
        code: 'HTTP.SERVICE_UNAVAILABLE',
        detail: 'Service Unavailable',
        error_id: ID,
      });
    });
  });

  describe('other errors', () => {
    it('maps an http-errors style 4xx error to its status without its message', () => {
      const error = Object.assign(new Error('internal parser state'), { status: 400 });
      expect(map(error).problem).toMatchObject({
        status: 400,
        code: 'REQUEST.BAD_REQUEST',
        detail: 'Bad Request',
      });
    });

    it.each([
      ['a plain Error', new Error('password=hunter2')],
      ['a TypeError', new TypeError("Cannot read properties of undefined (reading 'id')")],
      ['a thrown string', 'oops'],
      ['undefined', undefined],
      ['an error with a 5xx status', Object.assign(new Error('x'), { statusCode: 502 })],
    ])('maps %s to a 500 with an error_id and no internals', (_case, exception) => {
      const { problem, serverFault } = map(exception);
      expect(serverFault).toBe(true);
      expect(problem).toEqual({
        type: 'urn:ihf:problem:INTERNAL.ERROR',
        title: 'Internal Server Error',
        status: 500,
        code: 'INTERNAL.ERROR',
        detail: INTERNAL_ERROR_DETAIL,
        instance: '/api/v1/x',
        error_id: ID,
      });
    });

    it('generates a fresh UUID error_id by default', () => {
      const first = toProblem(new Error('x'), '/').problem.error_id;
      const second = toProblem(new Error('x'), '/').problem.error_id;
      expect(first).toMatch(/^[0-9a-f-]{36}$/);
      expect(first).not.toBe(second);
    });
  });
});
