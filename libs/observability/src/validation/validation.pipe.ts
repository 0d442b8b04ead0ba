import { ValidationPipe, type ValidationError, type ValidationPipeOptions } from '@nestjs/common';
import type { FieldError } from '../errors/problem.js';
import { RequestValidationError } from '../errors/request-validation.error.js';

/**
 * Flattens class-validator's error tree into one {@link FieldError} per failed rule, with
 * the path of the field: `name`, `address.city`, `items[2].event_type`.
 */
export function flattenValidationErrors(
  errors: readonly ValidationError[],
  parentPath = '',
): FieldError[] {
  const flat: FieldError[] = [];
  for (const error of errors) {
    const field = joinPath(parentPath, error.property);
    const constraints = Object.entries(error.constraints ?? {});
    if (constraints.length && error.value === undefined && 'value' in error) {
      // A missing field fails every rule on it; "is required" is the one thing to say.
      flat.push({ field, code: 'required', message: `${field} is required` });
    } else {
      for (const [code, message] of constraints) flat.push({ field, code, message });
    }
    if (error.children?.length) flat.push(...flattenValidationErrors(error.children, field));
  }
  return flat;
}

function joinPath(parent: string, property: string): string {
  if (/^\d+$/.test(property)) return `${parent}[${property}]`;
  return parent ? `${parent}.${property}` : property;
}

/**
 * The global validation pipe of an HTTP service: strips nothing silently (unknown properties
 * are errors: `whitelist` + `forbidNonWhitelisted`), transforms payloads into DTO instances,
 * and throws a {@link RequestValidationError} (400 problem with field paths) on failure.
 * Values are not echoed back in errors (`validationError.value: false`).
 *
 * @param overrides options merged over these defaults
 */
export function createValidationPipe(overrides: ValidationPipeOptions = {}): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
    transform: true,
    // Values are needed to tell a missing field from a wrong one; they never reach the answer
    // (only field, code and message do).
    validationError: { target: false, value: true },
    exceptionFactory: (errors: ValidationError[]) =>
      new RequestValidationError(flattenValidationErrors(errors)),
    ...overrides,
  });
}
