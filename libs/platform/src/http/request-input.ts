// Input every route refuses before any handler, transformation or database sees it: JSON
// nested too deep to walk safely, and text Postgres cannot store (NUL, unpaired surrogates).
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DomainError, type FieldError, RequestValidationError } from '@ihf/observability';

/**
 * Deepest nesting of arrays and objects a JSON body may have. Far above any DTO or contract
 * (event contracts allow 5 levels of free-form JSON), far below what makes the recursive
 * walks of validation, transformation and `JSON.stringify` overflow the stack.
 */
export const MAX_JSON_DEPTH = 64;

/** A JSON body nested deeper than {@link MAX_JSON_DEPTH}. */
export class JsonTooDeepError extends DomainError {
  constructor(limit: number) {
    super({
      code: 'REQUEST.JSON_TOO_DEEP',
      status: 400,
      message: `The request body nests arrays and objects deeper than ${limit} levels`,
      extensions: { max_depth: limit },
    });
  }
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const OPEN_BRACKET = 0x5b;
const OPEN_BRACE = 0x7b;
const CLOSE_BRACKET = 0x5d;
const CLOSE_BRACE = 0x7d;

/**
 * Whether JSON text nests arrays/objects deeper than `limit`, by one pass over its bytes that
 * skips string contents (so brackets inside strings do not count). It does not validate the
 * JSON: the parser does that afterwards, on text known to be shallow enough.
 */
export function jsonDepthExceeds(text: Uint8Array, limit: number): boolean {
  let depth = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) i++;
      else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return true;
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return false;
}

/**
 * A service's own `application/json` parser (e.g. one that decompresses first): returns the
 * parsed body or throws a 4xx error. It must bound the depth itself, with
 * {@link assertJsonDepth} on the text it parses.
 */
export type JsonBodyParser = (request: FastifyRequest, body: Buffer) => unknown;

/** @throws JsonTooDeepError when `text` nests deeper than `maxDepth`. */
export function assertJsonDepth(text: Uint8Array, maxDepth = MAX_JSON_DEPTH): void {
  if (jsonDepthExceeds(text, maxDepth)) throw new JsonTooDeepError(maxDepth);
}

/**
 * Parses `application/json` bodies with Fastify's own parser (prototype-poisoning checks, empty
 * body errors) after a depth bound, so that a body nested thousands of levels deep is a 400
 * problem instead of a stack overflow in whatever walks it first; or with the service's
 * `custom` parser. Call before `init()`.
 */
export function registerBoundedJsonParser(
  app: NestFastifyApplication,
  bodyLimit: number,
  custom?: JsonBodyParser,
  maxDepth = MAX_JSON_DEPTH,
): void {
  if (custom) {
    app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
      let parsed: unknown;
      try {
        parsed = custom(request as FastifyRequest, body);
      } catch (error) {
        done(error as Error, undefined);
        return;
      }
      done(null, parsed);
    });
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  const parse = fastify.getDefaultJsonParser('error', 'error');
  app.useBodyParser('application/json', { bodyLimit }, (request, body, done) => {
    if (jsonDepthExceeds(body, maxDepth)) {
      done(new JsonTooDeepError(maxDepth), undefined);
      return;
    }
    // Typed for strings, but secure-json-parse beneath takes Buffers too (as Nest's own use).
    void parse(request as FastifyRequest, body as unknown as string, done);
  });
}

/** Why a string cannot be stored, or undefined when it can. */
export function unstorableText(value: string): string | undefined {
  if (value.includes('\u0000')) return 'contains a NUL character (\\u0000)';
  // Postgres stores UTF-8, in which a lone surrogate has no encoding: text columns would get
  // U+FFFD instead, jsonb refuses the escape.
  if (!value.isWellFormed()) return 'contains an unpaired UTF-16 surrogate';
  return undefined;
}

/** Field errors for every unstorable string (values and keys) in `value`, with their paths. */
export function findUnstorableText(
  value: unknown,
  path = '',
  found: FieldError[] = [],
): FieldError[] {
  if (found.length >= 100) return found;
  if (typeof value === 'string') {
    const reason = unstorableText(value);
    if (reason) {
      const field = path || '(value)';
      found.push({ field, code: 'unstorableText', message: `${field} ${reason}` });
    }
  } else if (Array.isArray(value)) {
    value.forEach((item, i) => findUnstorableText(item, `${path}[${i}]`, found));
  } else if (typeof value === 'object' && value !== null) {
    for (const [key, item] of Object.entries(value)) {
      const field = path ? `${path}.${key}` : key;
      const reason = unstorableText(key);
      if (reason) {
        found.push({ field, code: 'unstorableText', message: `The name of ${field} ${reason}` });
      }
      findUnstorableText(item, field, found);
    }
  }
  return found;
}

/**
 * Refuses, as a 400 validation problem naming the fields, any request whose path parameters,
 * query or body holds a string Postgres cannot store. It runs on every route before the
 * handler, so such text never reaches a query, where it would fail the statement (SQLSTATE
 * 22021/22P05) or, in a grouped write, the statement of other requests too.
 */
export function registerStorableTextCheck(app: NestFastifyApplication): void {
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook(
    'preValidation',
    (request: FastifyRequest, _reply: FastifyReply, done: (err?: Error) => void) => {
      const errors = [
        ...findUnstorableText(request.params),
        ...findUnstorableText(request.query),
        ...findUnstorableText(request.body),
      ];
      done(errors.length > 0 ? new RequestValidationError(errors) : undefined);
    },
  );
}
