import { DomainError } from '@ihf/observability';

export class BodyTooLargeError extends DomainError {
  constructor(limit: number) {
    super({
      code: 'REQUEST.BODY_TOO_LARGE',
      status: 413,
      message: `The request body is larger than ${limit} bytes (measured after decompression)`,
      extensions: { max_bytes: limit },
    });
  }
}

export class MalformedJsonError extends DomainError {
  constructor(detail = 'The request body is not valid JSON') {
    super({ code: 'REQUEST.MALFORMED_JSON', status: 400, message: detail });
  }
}

export class InvalidGzipError extends DomainError {
  constructor() {
    super({
      code: 'REQUEST.INVALID_GZIP',
      status: 400,
      message: 'The request body is not valid gzip',
    });
  }
}

export class UnsupportedEncodingError extends DomainError {
  constructor(encoding: string) {
    super({
      code: 'REQUEST.UNSUPPORTED_CONTENT_ENCODING',
      status: 415,
      message: `Content-Encoding '${encoding}' is not supported; use gzip or none`,
    });
  }
}

export class UnsupportedMediaTypeError extends DomainError {
  constructor() {
    super({
      code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE',
      status: 415,
      message: 'The request body must be application/json',
    });
  }
}
