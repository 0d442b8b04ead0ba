import { HttpException, HttpStatus } from '@nestjs/common';
import type { FieldError } from './problem.js';

/** Code of the problem answered for invalid input. */
export const VALIDATION_FAILED_CODE = 'REQUEST.VALIDATION_FAILED';

/**
 * Thrown by the validation pipe of `createValidationPipe` when a DTO is invalid: 400 with
 * one {@link FieldError} per failed rule. It is an `HttpException`, so even without the
 * problem filter it is a 400 and never a 500.
 */
export class RequestValidationError extends HttpException {
  constructor(readonly fieldErrors: readonly FieldError[]) {
    super(
      {
        code: VALIDATION_FAILED_CODE,
        message: `The request has ${fieldErrors.length} invalid field(s)`,
      },
      HttpStatus.BAD_REQUEST,
    );
  }
}
