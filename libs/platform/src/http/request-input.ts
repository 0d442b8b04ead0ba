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

const LOWER_U = 0x75;

/** What one pass over a JSON text found (see {@link scanJsonText}). */
export interface JsonTextScan {
  /** Arrays/objects nest deeper than the limit. */
  readonly tooDeep: boolean;
  /** A `\u` escape occurs in a string: the only way JSON text decoded from UTF-8 yields a NUL or an unpaired surrogate. */
  readonly unicodeEscapes: boolean;
}

/**
 * One pass over JSON text's bytes that skips string contents (so brackets inside strings do not
 * count): whether arrays/objects nest deeper than `limit`, and whether any string holds a `\u`
 * escape. It does not validate the JSON: the parser does that afterwards, on text known to be
 * shallow enough.
 */
export function scanJsonText(text: Uint8Array, limit: number): JsonTextScan {
  let depth = 0;
  let inString = false;
  let unicodeEscapes = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === BACKSLASH) {
        if (text[++i] === LOWER_U) unicodeEscapes = true;
      } else if (c === QUOTE) inString = false;
    } else if (c === QUOTE) {
      inString = true;
    } else if (c === OPEN_BRACKET || c === OPEN_BRACE) {
      if (++depth > limit) return { tooDeep: true, unicodeEscapes };
    } else if (c === CLOSE_BRACKET || c === CLOSE_BRACE) {
      depth--;
    }
  }
  return { tooDeep: false, unicodeEscapes };
}

/** Whether JSON text nests arrays/objects deeper than `limit` (see {@link scanJsonText}). */
export function jsonDepthExceeds(text: Uint8Array, limit: number): boolean {
  return scanJsonText(text, limit).tooDeep;
}

/**
 * Requests whose JSON body text holds no `\u` escape. Decoding UTF-8 replaces every ill-formed
 * sequence (an encoded surrogate included) with U+FFFD and JSON forbids a raw control character,
 * so such a body holds no NUL and no unpaired surrogate: the storable-text check need not walk it.
 */
const bodiesWithoutEscapes = new WeakSet<object>();

/**
 * The checks of a JSON body's text before it is parsed: its depth (throws
 * {@link JsonTooDeepError}) and whether it can hold text Postgres cannot store (noted on the
 * request for `registerStorableTextCheck`). `text` must be what the parser decodes as UTF-8.
 */
export function checkJsonBodyText(
  request: object,
  text: Uint8Array,
  maxDepth = MAX_JSON_DEPTH,
): void {
  const scan = scanJsonText(text, maxDepth);
  if (scan.tooDeep) throw new JsonTooDeepError(maxDepth);
  if (!scan.unicodeEscapes) bodiesWithoutEscapes.add(request);
}

/**
 * A service's own `application/json` parser (e.g. one that decompresses first): returns the
 * parsed body or throws a 4xx error. It must check the text it parses with
 * {@link checkJsonBodyText} (depth bound; storable text).
 */
export type JsonBodyParser = (request: FastifyRequest, body: Buffer) => unknown;

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
    try {
      checkJsonBodyText(request, body, maxDepth);
    } catch (error) {
      done(error as Error, undefined);
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
export function findUnstorableText(value: unknown, path = ''): FieldError[] {
  const found: FieldError[] = [];
  // The path is kept as segments and joined only for a finding: building it for every value
  // walked was most of this walk's cost on large bodies.
  const segments: string[] = [];
  const at = () => path + segments.join('');
  const walk = (item: unknown): void => {
    if (found.length >= 100) return;
    if (typeof item === 'string') {
      const reason = unstorableText(item);
      if (reason) {
        const field = at() || '(value)';
        found.push({ field, code: 'unstorableText', message: `${field} ${reason}` });
      }
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        segments.push(`[${i}]`);
        walk(item[i]);
        segments.pop();
      }
    } else if (typeof item === 'object' && item !== null) {
      for (const key in item) {
        if (!Object.hasOwn(item, key)) continue;
        segments.push(path || segments.length > 0 ? `.${key}` : key);
        const reason = unstorableText(key);
        if (reason) {
          const field = at();
          found.push({ field, code: 'unstorableText', message: `The name of ${field} ${reason}` });
        }
        walk((item as Record<string, unknown>)[key]);
        segments.pop();
      }
    }
  };
  walk(value);
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
        // A JSON body whose text had no \u escape cannot hold such text (see checkJsonBodyText).
        ...(bodiesWithoutEscapes.has(request) ? [] : findUnstorableText(request.body)),
      ];
      done(errors.length > 0 ? new RequestValidationError(errors) : undefined);
    },
  );
}
