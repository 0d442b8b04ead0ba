import { applyDecorators, type Type } from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiBody,
  ApiExtraModels,
  ApiOperation,
  ApiParam,
  ApiProperty,
  ApiPropertyOptional,
  ApiResponse,
  getSchemaPath,
} from '@nestjs/swagger';
import { HTTP_STATUS_CODES, PROBLEM_CONTENT_TYPE } from '@ihf/observability';

/** Security scheme of the identity service's access tokens (`Authorization: Bearer <JWT>`). */
export const JWT_SECURITY_SCHEME = 'jwt';
/** Security scheme of a hub API key (`Authorization: Bearer ihf_<prefix>_<secret>`). */
export const API_KEY_SECURITY_SCHEME = 'hubApiKey';

/** One invalid field of a `REQUEST.VALIDATION_FAILED` problem. */
export class FieldErrorDoc {
  @ApiProperty({ example: 'items[2].event_type', description: 'Path of the field in the request' })
  field!: string;

  @ApiProperty({ example: 'isIn', description: 'The failed rule' })
  code!: string;

  @ApiProperty({ example: 'event_type must be one of the following values: click, view' })
  message!: string;
}

/**
 * Every error answer of the platform: an RFC 9457 problem (`application/problem+json`) with a
 * stable `code`. Domain errors may add members (e.g. `allowed_transitions`).
 */
export class ProblemDoc {
  @ApiProperty({ example: 'urn:ihf:problem:REQUEST.VALIDATION_FAILED' })
  type!: string;

  @ApiProperty({ example: 'Bad Request', description: 'The reason phrase of `status`' })
  title!: string;

  @ApiProperty({ type: 'integer', example: 400 })
  status!: number;

  @ApiProperty({
    example: 'REQUEST.VALIDATION_FAILED',
    description: 'Stable machine-readable code to branch on',
  })
  code!: string;

  @ApiProperty({ example: 'The request has 1 invalid field(s)' })
  detail!: string;

  @ApiProperty({ example: '/api/v1/hubs', description: 'The request path' })
  instance!: string;

  @ApiPropertyOptional({
    type: [FieldErrorDoc],
    description: 'Field errors of a validation problem',
  })
  errors?: FieldErrorDoc[];

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'For 5xx: the id under which the error was logged',
  })
  error_id?: string;
}

/** Error statuses an operation may document. */
export type ProblemStatus = 400 | 401 | 403 | 404 | 409 | 413 | 415 | 422 | 429 | 503;

/** Codes every operation may answer with a status, whatever the operation does. */
const GENERIC_CODES: Readonly<Partial<Record<ProblemStatus, readonly string[]>>> = {
  400: ['REQUEST.VALIDATION_FAILED'],
  // The auth library's codes (libs/auth), and the generic one of a bare 401/403.
  401: ['AUTH.UNAUTHENTICATED', HTTP_STATUS_CODES[401]],
  403: ['AUTH.ROLE_REQUIRED'],
  413: [HTTP_STATUS_CODES[413]],
  415: [HTTP_STATUS_CODES[415]],
  503: ['SERVICE.UNAVAILABLE'],
};

/** Codes answered with a 400 by the body parser for a JSON body. */
const BODY_CODES: readonly string[] = [
  'REQUEST.MALFORMED_JSON',
  'REQUEST.EMPTY_BODY',
  'REQUEST.INVALID_CONTENT_LENGTH',
];

const REASONS: Readonly<Record<ProblemStatus, string>> = {
  400: 'The request is invalid',
  401: 'No valid credentials',
  403: 'The credentials do not allow this',
  404: 'Not found (or not visible to the caller)',
  409: 'Conflicts with the current state',
  413: 'The body is too large',
  415: 'The body is not JSON',
  422: 'Well-formed but refused',
  429: 'Too many requests; retry after `Retry-After` seconds',
  503: 'Temporarily unavailable; retry after `Retry-After` seconds',
};

/** The success answer of an operation. */
export interface SuccessResponseDoc {
  /** 200, 201, 202 or 204 (no body). */
  readonly status: 200 | 201 | 202 | 204;
  readonly description: string;
  /** Body class (decorated with `@ApiProperty`); omit for 204. */
  readonly type?: Type<unknown>;
  /** The body is a page (`{ items: type[], next_cursor }`) of `type`. */
  readonly page?: boolean;
  /** The body is `{ items: type[] }`. */
  readonly list?: boolean;
}

/** What {@link ApiOperationDoc} documents about one operation. */
export interface ApiOperationDocOptions {
  readonly summary: string;
  readonly description: string;
  /** Who may call it: an identity access token (default), a hub API key, or anyone. */
  readonly auth?: 'jwt' | 'api-key' | 'public';
  readonly response: SuccessResponseDoc;
  /**
   * Error answers by status, with the operation's own codes (generic codes such as
   * `REQUEST.VALIDATION_FAILED` or `AUTH.FORBIDDEN` are added). 401 is added for
   * authenticated operations, 503 for every operation unless `offline`, and 400, 413 and 415
   * when the operation takes a JSON body (`body`).
   */
  readonly problems?: Partial<Record<ProblemStatus, readonly string[]>>;
  /** The operation takes a JSON body (its class comes from `@Body()`, or `bodyType`). */
  readonly body?: boolean;
  /** The request body's schema when the handler's `@Body()` has no class. */
  readonly bodyType?: Type<unknown>;
  /** Answers from memory only: no 503. */
  readonly offline?: boolean;
  /** Path parameters that are UUIDs (checked by `ParseUUIDPipe`: 400 otherwise). */
  readonly uuidParams?: readonly string[];
}

/**
 * Documents an operation completely: summary and description, security scheme, success body,
 * and each error status with a reference to the shared `ProblemDoc` schema and the list of
 * its codes. The integration tests check every real answer against what this declares.
 */
export function ApiOperationDoc(options: ApiOperationDocOptions): MethodDecorator {
  const auth = options.auth ?? 'jwt';
  const problems = new Map<ProblemStatus, Set<string>>();
  const add = (status: ProblemStatus, codes: readonly string[]): void => {
    const set = problems.get(status) ?? new Set<string>();
    for (const code of codes) set.add(code);
    problems.set(status, set);
  };
  for (const [status, codes] of Object.entries(options.problems ?? {})) {
    const s = Number(status) as ProblemStatus;
    add(s, [...(GENERIC_CODES[s] ?? []), ...(codes ?? [])]);
  }
  if (options.body || options.bodyType) {
    add(400, [...GENERIC_CODES[400]!, ...BODY_CODES]);
    add(413, GENERIC_CODES[413]!);
    add(415, GENERIC_CODES[415]!);
  }
  if (auth !== 'public') add(401, GENERIC_CODES[401]!);
  if (!options.offline) add(503, GENERIC_CODES[503]!);
  // Tokens are verified with the identity service's published keys, fetched when needed.
  if (auth === 'jwt') add(503, ['AUTH.KEYS_UNAVAILABLE']);

  const decorators: (MethodDecorator | ClassDecorator)[] = [
    ApiOperation({ summary: options.summary, description: options.description }),
    ApiExtraModels(ProblemDoc),
    successResponse(options.response),
  ];
  if (auth === 'jwt') decorators.push(ApiBearerAuth(JWT_SECURITY_SCHEME));
  if (auth === 'api-key') decorators.push(ApiBearerAuth(API_KEY_SECURITY_SCHEME));
  if (options.bodyType) decorators.push(ApiBody({ type: options.bodyType, required: true }));
  for (const name of options.uuidParams ?? []) {
    decorators.push(ApiParam({ name, type: String, format: 'uuid' }));
  }
  for (const status of [...problems.keys()].sort((a, b) => a - b)) {
    const codes = [...problems.get(status)!];
    if (codes.length === 0)
      throw new Error(`${options.summary}: name the codes of status ${status}`);
    const parserCodes = REQUEST_STATUSES.has(status);
    const listed = codes.map((c) => `\`${c}\``).join(', ');
    decorators.push(
      ApiResponse({
        status,
        description: `${REASONS[status]}. Codes: ${listed}${parserCodes ? ', or another `REQUEST.*` code of the request parser' : ''}.`,
        ...(status === 429 || status === 503 ? { headers: RETRY_AFTER_HEADER } : {}),
        content: {
          [PROBLEM_CONTENT_TYPE]: {
            schema: {
              allOf: [
                { $ref: getSchemaPath(ProblemDoc) },
                {
                  type: 'object',
                  additionalProperties: true,
                  properties: { code: codeSchema(codes, parserCodes) },
                },
              ],
            },
          },
        },
      }),
    );
  }
  return applyDecorators(...decorators);
}

/** `Retry-After` of a 429 or 503, when the service knows when to retry. */
const RETRY_AFTER_HEADER = {
  'Retry-After': {
    description: 'Seconds after which a retry may succeed',
    schema: { type: 'integer', minimum: 0 },
  },
};

/**
 * Statuses the request parser and the platform's hooks answer before any handler, for any
 * operation, with codes of their own (`REQUEST.*`, e.g. for a malformed body).
 */
const REQUEST_STATUSES: ReadonlySet<ProblemStatus> = new Set([400, 413, 415]);

/** The `code` of a problem: one of the listed codes (or a request parser's `REQUEST.*`). */
function codeSchema(codes: readonly string[], parserCodes: boolean): object {
  const listed = { type: 'string', enum: codes };
  if (!parserCodes) return listed;
  return {
    type: 'string',
    anyOf: [{ enum: codes }, { pattern: '^REQUEST\\.[A-Z0-9_]+$' }],
  };
}

function successResponse(response: SuccessResponseDoc): MethodDecorator {
  const { status, description, type } = response;
  if (!type) return ApiResponse({ status, description });
  const ref = { $ref: getSchemaPath(type) };
  if (!response.page && !response.list) {
    return applyDecorators(ApiExtraModels(type), ApiResponse({ status, description, type }));
  }
  const properties: Record<string, object> = { items: { type: 'array', items: ref } };
  if (response.page) {
    properties.next_cursor = {
      type: 'string',
      nullable: true,
      description: 'Pass as `cursor` for the next page; null on the last page',
    };
  }
  return applyDecorators(
    ApiExtraModels(type),
    ApiResponse({
      status,
      description,
      schema: { type: 'object', required: Object.keys(properties), properties },
    }),
  );
}

/**
 * Adds to every operation of a built document the refusals the platform answers before any
 * handler, whatever the operation declares: 400 for text no column can store (NUL, unpaired
 * surrogates) in a path or query parameter, and 413 and 415 from the body parser, which reads a
 * body sent with any method (a GET or a body-less POST still refuses a body it cannot parse).
 */
export function documentRequestRefusals(document: {
  paths: Record<string, Record<string, unknown>>;
}): void {
  for (const item of Object.values(document.paths)) {
    for (const operation of Object.values(item)) {
      const responses = (operation as { responses?: Record<string, unknown> })?.responses;
      if (!responses) continue;
      for (const status of [400, 413, 415] as const) {
        responses[String(status)] ??= {
          description: `${REASONS[status]}. Codes: ${(GENERIC_CODES[status] ?? [])
            .map((c) => `\`${c}\``)
            .join(', ')}, or another \`REQUEST.*\` code of the request parser.`,
          content: {
            [PROBLEM_CONTENT_TYPE]: {
              schema: {
                allOf: [
                  { $ref: getSchemaPath(ProblemDoc) },
                  {
                    type: 'object',
                    additionalProperties: true,
                    properties: { code: codeSchema(GENERIC_CODES[status] ?? [], true) },
                  },
                ],
              },
            },
          },
        };
      }
    }
  }
}
