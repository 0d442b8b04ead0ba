import Ajv, { type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

/** The parts of an OpenAPI 3.0 document the response check reads. */
export interface OpenApiDocument {
  readonly paths: Record<string, Record<string, OpenApiOperation | undefined> | undefined>;
  readonly components?: { readonly schemas?: Record<string, unknown> };
}

interface OpenApiOperation {
  readonly responses?: Record<string, OpenApiResponse | undefined>;
}

interface OpenApiResponse {
  readonly content?: Record<string, { readonly schema?: unknown } | undefined>;
}

/** One real response as the check sees it. */
export interface ObservedResponse {
  readonly method: string;
  /** The route's pattern as Fastify knows it (`/api/v1/hubs/:hubId`). */
  readonly route: string;
  readonly status: number;
  readonly contentType: string | undefined;
  /** The raw body, as sent. */
  readonly body: string;
}

/** Routes that are not part of the API document (probes, scrapers and the docs themselves). */
const UNDOCUMENTED_ROUTES = [/^\/health\//, /^\/metrics$/, /^\/docs(\/|-json$|$)/];

const SCHEMA_ID = 'openapi.json';

/**
 * Checks responses against an OpenAPI 3.0 document: the status is declared for the operation,
 * the content type is one of the declared ones, and the body validates against its schema
 * (ajv, with OpenAPI's `nullable` translated to JSON Schema).
 */
export class OpenApiResponseValidator {
  private readonly ajv: Ajv;
  private readonly compiled = new Map<string, ValidateFunction>();

  constructor(private readonly document: OpenApiDocument) {
    this.ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(this.ajv);
    // OpenAPI's numeric formats: the type already says what matters.
    for (const f of ['int32', 'int64', 'float', 'double']) this.ajv.addFormat(f, () => true);
    const schemas: Record<string, unknown> = {};
    for (const [name, schema] of Object.entries(document.components?.schemas ?? {})) {
      schemas[name] = toJsonSchema(schema, !OPEN_SCHEMAS.has(name));
    }
    this.ajv.addSchema({ $id: SCHEMA_ID, components: { schemas } }, SCHEMA_ID);
  }

  /** What is wrong with `response` (an empty list when it matches the document). */
  check(response: ObservedResponse): string[] {
    const where = `${response.method} ${response.route} → ${response.status}`;
    const path = response.route.replace(/:([A-Za-z0-9_]+)/g, '{$1}');
    const operation = this.document.paths[path]?.[response.method.toLowerCase()];
    if (!operation) return [`${where}: the operation is not in the OpenAPI document`];
    const responses = operation.responses ?? {};
    const key = [String(response.status), `${String(response.status)[0]}XX`, 'default'].find(
      (k) => responses[k] !== undefined,
    );
    if (key === undefined) return [`${where}: status ${response.status} is not declared`];
    const declared = responses[key]?.content ?? {};
    const mediaTypes = Object.keys(declared);
    if (response.body === '') {
      return mediaTypes.length === 0 || response.status === 204
        ? []
        : [`${where}: empty body, but the document declares ${mediaTypes.join(', ')}`];
    }
    const type = response.contentType?.split(';')[0]?.trim().toLowerCase();
    if (!type || !mediaTypes.includes(type)) {
      return [
        `${where}: content type ${type ?? '(none)'} is not declared (declared: ${mediaTypes.join(', ') || 'no body'})`,
      ];
    }
    const schema = declared[type]?.schema;
    if (schema === undefined) return [];
    let body: unknown;
    try {
      body = JSON.parse(response.body);
    } catch {
      return [`${where}: the ${type} body is not JSON`];
    }
    const id = `${path} ${response.method} ${key} ${type}`;
    let validate = this.compiled.get(id);
    if (!validate) {
      validate = this.ajv.compile(toJsonSchema(schema, true) as object);
      this.compiled.set(id, validate);
    }
    if (validate(body)) return [];
    return (validate.errors ?? []).map(
      (e) =>
        `${where}: body${e.instancePath} ${e.message ?? 'is invalid'}${
          e.params && Object.keys(e.params).length ? ` ${JSON.stringify(e.params)}` : ''
        }`,
    );
  }
}

/** Schemas whose objects may carry members they do not list (a problem's extensions). */
const OPEN_SCHEMAS = new Set(['ProblemDoc']);

/**
 * OpenAPI 3.0 schema → JSON Schema for ajv: `nullable: true` becomes a `null` alternative and
 * `#/components/…` references point into the document registered under {@link SCHEMA_ID}.
 * With `closed`, an object schema that lists its properties and says nothing of others
 * refuses others: a member the code sends but the document does not name is a drift too.
 */
function toJsonSchema(node: unknown, closed: boolean): unknown {
  if (Array.isArray(node)) return node.map((n) => toJsonSchema(n, closed));
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(node as Record<string, unknown>)) {
    if (k === '$ref' && typeof v === 'string' && v.startsWith('#/')) out[k] = `${SCHEMA_ID}${v}`;
    else if (k === 'nullable' || k === 'example') continue;
    // `properties` maps names to schemas: recurse into each schema, not into the map's keys.
    else if (k === 'properties' && v && typeof v === 'object') {
      out[k] = Object.fromEntries(
        Object.entries(v as Record<string, unknown>).map(([name, schema]) => [
          name,
          toJsonSchema(schema, closed),
        ]),
      );
    } else out[k] = toJsonSchema(v, closed);
  }
  if (closed && out.properties !== undefined && out.additionalProperties === undefined) {
    out.additionalProperties = false;
  }
  if ((node as { nullable?: unknown }).nullable !== true) return out;
  const values: unknown = out.enum;
  if (Array.isArray(values) && !values.includes(null)) out.enum = [...(values as unknown[]), null];
  if (typeof out.type === 'string') return { ...out, type: [out.type, 'null'] };
  return { anyOf: [out, { type: 'null' }] };
}

/** Responses that did not match the document, as collected by {@link validateResponses}. */
export class OpenApiViolations extends Error {
  constructor(readonly violations: readonly string[]) {
    super(
      `${violations.length} response(s) do not match the service's OpenAPI document:\n  ${violations.join('\n  ')}`,
    );
    this.name = 'OpenApiViolations';
  }
}

/** The app as {@link validateResponses} needs it (a Nest Fastify application). */
export interface ValidatedApp {
  getHttpAdapter(): object & { getInstance(): unknown };
}

/**
 * The parts of Nest's Fastify adapter that are wrapped. Nest's app is a proxy that refuses new
 * properties and forwards `inject` to its adapter, and `close` ends with the adapter's.
 */
interface WrappableAdapter {
  inject: (options: unknown) => Promise<unknown>;
  close: () => Promise<void>;
}

/** Header by which the wrapped `inject` finds the violations of its own request. */
const CHECK_HEADER = 'x-ihf-openapi-check';

/**
 * Makes every HTTP response of `app` checked against the app's own OpenAPI document (served at
 * `/docs-json`), so that a drift between what the code answers and what the document says
 * fails the test that saw it. Call it before the app initialises (in `configure`):
 *
 * - a response to `app.inject(...)` that does not match makes that `inject` call reject;
 * - any other mismatch (requests over a real socket) makes `app.close()` reject, once the
 *   app is closed.
 *
 * Routes outside the API (health probes, metrics, the docs) and requests that matched no
 * route are not checked.
 */
export function validateResponses(app: ValidatedApp): void {
  const adapter = app.getHttpAdapter() as unknown as WrappableAdapter;
  const fastify = app.getHttpAdapter().getInstance() as FastifyInstance;
  let validator: Promise<OpenApiResponseValidator> | undefined;
  const loadValidator = (): Promise<OpenApiResponseValidator> =>
    (validator ??= originalInject({ method: 'GET', url: '/docs-json' }).then((res) => {
      if (res.statusCode !== 200) throw new Error(`/docs-json answered ${res.statusCode}`);
      return new OpenApiResponseValidator(res.json<OpenApiDocument>());
    }));
  const byCheckId = new Map<string, string[]>();
  const unclaimed: string[] = [];
  let nextCheckId = 0;

  fastify.addHook(
    'onSend',
    async (request: FastifyRequest, reply: FastifyReply, payload: unknown) => {
      const route = request.routeOptions.url;
      if (route === undefined || UNDOCUMENTED_ROUTES.some((r) => r.test(route))) return payload;
      if (payload !== null && payload !== undefined && typeof payload !== 'string') {
        if (!Buffer.isBuffer(payload)) return payload; // a stream: not an API answer here
      }
      const header = reply.getHeader('content-type');
      let problems: string[];
      try {
        problems = (await loadValidator()).check({
          method: request.method,
          route,
          status: reply.statusCode,
          contentType: typeof header === 'string' ? header : undefined,
          body: payload === null || payload === undefined ? '' : String(payload),
        });
      } catch (error) {
        // A violation like any other: the answer itself goes out unchanged.
        problems = [
          `${request.method} ${route}: no OpenAPI document to check against (${String(error)})`,
        ];
      }
      if (problems.length === 0) return payload;
      const checkId = request.headers[CHECK_HEADER];
      if (typeof checkId === 'string' && byCheckId.has(checkId))
        byCheckId.get(checkId)!.push(...problems);
      else unclaimed.push(...problems);
      return payload;
    },
  );

  const originalInject = (options: object) => fastify.inject(options);
  const checkedInject = async (opts: unknown): Promise<unknown> => {
    const checkId = String(nextCheckId++);
    byCheckId.set(checkId, []);
    const options = typeof opts === 'string' ? { url: opts } : { ...(opts as object) };
    const headers = {
      ...((options as { headers?: object }).headers ?? {}),
      [CHECK_HEADER]: checkId,
    };
    try {
      const res = await originalInject({
        ...options,
        headers,
      });
      const problems = byCheckId.get(checkId) ?? [];
      if (problems.length > 0) throw new OpenApiViolations(problems);
      return res;
    } finally {
      byCheckId.delete(checkId);
    }
  };
  // Only the promise form of inject is used by the tests; the callback form is not wrapped.
  adapter.inject = checkedInject;

  const originalClose = adapter.close.bind(adapter);
  adapter.close = async () => {
    await originalClose();
    if (unclaimed.length > 0) throw new OpenApiViolations(unclaimed.splice(0));
  };
}

/**
 * `options` (of `createServiceApp`) with {@link validateResponses} installed first in its
 * `configure`: every answer of the app is checked against its OpenAPI document.
 */
export function withResponseValidation<
  O extends { readonly configure?: (app: never) => Promise<void> | void },
>(options: O): O {
  const configure = options.configure as ((app: ValidatedApp) => Promise<void> | void) | undefined;
  return {
    ...options,
    configure: async (app: ValidatedApp) => {
      validateResponses(app);
      await configure?.(app);
    },
  };
}
