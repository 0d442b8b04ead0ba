// A seeded, bounded fuzzer over every operation of an OpenAPI 3 document: requests built from
// the document's parameters and request bodies, valid and mutated (hostile strings, wrong
// types, missing and unknown fields, deep nesting, broken JSON, out-of-range cursors), sent
// through the app's `inject`. The contract checked is that of the platform: no 5xx for any
// input, and every 4xx is an application/problem+json body with a stable code.

/** The subset of OpenAPI 3 the fuzzer reads. */
export interface FuzzedOpenApiDocument {
  readonly paths: Record<string, Record<string, unknown>>;
  readonly components?: { readonly schemas?: Record<string, JsonSchema> };
}

interface OpenApiOperation {
  readonly operationId?: string;
  readonly parameters?: readonly OpenApiParameter[];
  readonly requestBody?: { readonly content?: Record<string, { readonly schema?: JsonSchema }> };
}

interface OpenApiParameter {
  readonly name: string;
  readonly in: 'path' | 'query' | 'header' | 'cookie';
  readonly required?: boolean;
  readonly schema?: JsonSchema;
}

/** The subset of JSON Schema the generator understands; anything else yields free values. */
export interface JsonSchema {
  readonly $ref?: string;
  readonly type?: string | readonly string[];
  readonly format?: string;
  readonly enum?: readonly unknown[];
  readonly const?: unknown;
  readonly properties?: Record<string, JsonSchema>;
  readonly required?: readonly string[];
  readonly items?: JsonSchema;
  readonly allOf?: readonly JsonSchema[];
  readonly oneOf?: readonly JsonSchema[];
  readonly anyOf?: readonly JsonSchema[];
  readonly minimum?: number;
  readonly maximum?: number;
  readonly minLength?: number;
  readonly maxLength?: number;
  readonly minItems?: number;
  readonly maxItems?: number;
  readonly nullable?: boolean;
}

/** One request as `app.inject` takes it. */
export interface FuzzRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Record<string, string>;
  readonly payload?: string;
}

/** What the fuzzer needs of an answer. */
export interface FuzzResponse {
  readonly statusCode: number;
  readonly headers: Record<string, unknown>;
  readonly body: string;
}

export interface FuzzOptions {
  readonly seed: number;
  /** Requests to send in all, spread round-robin over the operations. */
  readonly requests: number;
  /** Header sets to authenticate with, used in turn (include `{}` for "no credentials"). */
  readonly auth: readonly Record<string, string>[];
  /** Real values for parameters by name (e.g. `hubId`), used for half of those parameters. */
  readonly knownValues?: Readonly<Record<string, readonly string[]>>;
}

/** A response that breaks the contract. */
export interface FuzzFinding {
  readonly request: FuzzRequest;
  readonly status: number;
  readonly problem: string;
  readonly body: string;
}

export interface FuzzReport {
  readonly seed: number;
  readonly sent: number;
  readonly operations: number;
  readonly byStatus: Record<number, number>;
  readonly findings: FuzzFinding[];
}

/** The seed of a fuzz run: `IHF_FUZZ_SEED` when set (to replay a failure), else a new one. */
export function fuzzSeed(): number {
  const fromEnv = process.env.IHF_FUZZ_SEED;
  if (fromEnv !== undefined && fromEnv !== '') {
    const seed = Number(fromEnv);
    if (!Number.isInteger(seed)) throw new Error(`IHF_FUZZ_SEED must be an integer: ${fromEnv}`);
    return seed;
  }
  return Math.floor(Math.random() * 2 ** 31);
}

/** mulberry32: small, fast, good enough to pick test inputs reproducibly. */
class Random {
  private state: number;
  constructor(seed: number) {
    this.state = seed >>> 0;
  }
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }
  chance(p: number): boolean {
    return this.next() < p;
  }
  pick<T>(items: readonly T[]): T {
    return items[Math.floor(this.next() * items.length)];
  }
  uuid(): string {
    const hex = Array.from({ length: 32 }, () => this.int(0, 15).toString(16));
    hex[12] = '4';
    hex[16] = this.pick(['8', '9', 'a', 'b']);
    const s = hex.join('');
    return `${s.slice(0, 8)}-${s.slice(8, 12)}-${s.slice(12, 16)}-${s.slice(16, 20)}-${s.slice(20)}`;
  }
}

const forgedCursor = (parts: unknown[]): string =>
  Buffer.from(JSON.stringify(parts)).toString('base64url');

/** Strings that have broken services before: storage-hostile, huge, odd encodings. */
const HOSTILE_STRINGS: readonly string[] = [
  '',
  ' ',
  'x\u0000y',
  '\u0000',
  '\ud800',
  'a\udfffb',
  '\udbff\udbff',
  'x'.repeat(20_000),
  '😀'.repeat(300),
  '\u202e\u0301',
  "' or '1'='1' --",
  '%00%ff%',
  '../../../etc/passwd',
  '<script>alert(1)</script>',
  'null',
  '-1',
  '1e309',
  '9'.repeat(40),
  'a@b',
  'x\u0000@example.com',
  'us\ud800er@example.com',
  '0001-01-01T00:00:00Z',
  '+275760-09-13T00:00:00.000Z',
  '-271821-04-20T00:00:00Z',
  '2026-02-30T00:00:00Z',
  forgedCursor(['+275760-09-13T00:00:00.000Z', '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d']),
  forgedCursor(['-000001-01-01T00:00:00Z', '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d']),
  forgedCursor([1e308, '2026-01-01T00:00:00Z', '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d']),
  forgedCursor([2 ** 40, '2026-01-01T00:00:00Z', '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d']),
];

/** Non-string values for any field. */
const HOSTILE_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  2 ** 31,
  2 ** 53 + 2,
  1e308,
  -1e308,
  0.5,
  [],
  {},
  [null],
  { __proto__: { polluted: true } },
];

/** Bodies that are not what any schema describes. */
const RAW_BODIES: readonly string[] = [
  '',
  '{',
  'null',
  '[]',
  '"text"',
  '{"a":1,"a":2}',
  '{"__proto__":{"x":1}}',
  '{"constructor":{"prototype":{"x":1}}}',
  `${'['.repeat(5000)}${']'.repeat(5000)}`,
  `${'{"a":'.repeat(3000)}1${'}'.repeat(3000)}`,
  '{"x":"\\u0000"}',
  '{"x":"\\ud800"}',
  '{"\\u0000":1}',
];

class Generator {
  constructor(
    private readonly doc: FuzzedOpenApiDocument,
    private readonly random: Random,
  ) {}

  resolve(schema: JsonSchema | undefined): JsonSchema {
    let s = schema ?? {};
    for (let i = 0; s.$ref && i < 20; i++) {
      const name = s.$ref.replace('#/components/schemas/', '');
      s = this.doc.components?.schemas?.[name] ?? {};
    }
    if (s.allOf) {
      const parts = s.allOf.map((p) => this.resolve(p));
      return {
        ...s,
        allOf: undefined,
        type: 'object',
        properties: Object.assign(
          {},
          s.properties,
          ...parts.map((p) => p.properties ?? {}),
        ) as Record<string, JsonSchema>,
        required: [...(s.required ?? []), ...parts.flatMap((p) => p.required ?? [])],
      };
    }
    return s;
  }

  /** A value the schema accepts (as far as it can tell). */
  valid(schema: JsonSchema | undefined, name: string, depth = 0): unknown {
    const r = this.random;
    const s = this.resolve(schema);
    if (s.const !== undefined) return s.const;
    if (s.enum?.length) return r.pick(s.enum);
    const variants = s.oneOf ?? s.anyOf;
    if (variants?.length) return this.valid(r.pick(variants), name, depth);
    const type = Array.isArray(s.type) ? r.pick(s.type as string[]) : s.type;
    switch (type) {
      case 'integer': {
        const min = s.minimum ?? 0;
        const max = s.maximum ?? Math.max(min + 100, 100);
        return r.int(min, Math.min(max, min + 1000));
      }
      case 'number':
        return (s.minimum ?? 0) + r.next() * 10;
      case 'boolean':
        return r.chance(0.5);
      case 'array': {
        if (depth > 4) return [];
        const n = r.int(s.minItems ?? 0, Math.min(s.maxItems ?? 3, (s.minItems ?? 0) + 3));
        return Array.from({ length: n }, () => this.valid(s.items, name, depth + 1));
      }
      case 'object':
        return this.object(s, depth);
      case 'string':
        return this.string(s, name);
      default:
        if (s.properties) return this.object(s, depth);
        return r.pick(['text', 1, true, { key: 'value' }]);
    }
  }

  private object(s: JsonSchema, depth: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    if (depth > 4) return out;
    const required = new Set(s.required ?? []);
    for (const [key, prop] of Object.entries(s.properties ?? {})) {
      if (required.has(key) || this.random.chance(0.5)) {
        out[key] = this.valid(prop, key, depth + 1);
      }
    }
    return out;
  }

  private string(s: JsonSchema, name: string): string {
    const r = this.random;
    const known = this.knownFor(name);
    if (known) return known;
    switch (s.format) {
      case 'uuid':
        return r.uuid();
      case 'date-time':
        return new Date(Date.now() - r.int(0, 86_400_000)).toISOString();
      case 'date':
        return new Date().toISOString().slice(0, 10);
      case 'email':
        return `fuzz${r.int(0, 1e6)}@example.com`;
      case 'uri':
      case 'url':
        return 'https://example.com/page';
      default: {
        const min = s.minLength ?? 1;
        const max = Math.min(s.maxLength ?? 24, min + 24);
        const length = r.int(min, Math.max(min, max));
        return Array.from({ length }, () => r.pick([...'abcdefghijklmnopqrstuvwxyz-'])).join('');
      }
    }
  }

  knownValues: Readonly<Record<string, readonly string[]>> = {};

  knownFor(name: string): string | undefined {
    const values = this.knownValues[name];
    return values?.length && this.random.chance(0.7) ? this.random.pick(values) : undefined;
  }

  /** Any value, mostly a hostile one. */
  hostile(): unknown {
    return this.random.chance(0.7)
      ? this.random.pick(HOSTILE_STRINGS)
      : this.random.pick(HOSTILE_VALUES);
  }

  /** `value` with one leaf replaced, a field removed or an unknown field added. */
  mutate(value: unknown): unknown {
    const r = this.random;
    if (typeof value !== 'object' || value === null) return this.hostile();
    const copy: unknown = JSON.parse(JSON.stringify(value));
    const containers: (Record<string, unknown> | unknown[])[] = [];
    const walk = (v: unknown): void => {
      if (typeof v === 'object' && v !== null) {
        containers.push(v as Record<string, unknown>);
        for (const child of Object.values(v)) walk(child);
      }
    };
    walk(copy);
    const target = r.pick(containers);
    const keys = Object.keys(target);
    const action = r.int(0, 3);
    if (action === 0 && keys.length) {
      (target as Record<string, unknown>)[r.pick(keys)] = this.hostile();
    } else if (action === 1 && keys.length && !Array.isArray(target)) {
      delete target[r.pick(keys)];
    } else if (action === 2 && !Array.isArray(target)) {
      target[r.pick(['unknown_field', '__proto__', 'constructor', 'x\u0000'])] = this.hostile();
    } else if (keys.length) {
      // The same value nested far too deep.
      let deep: unknown = 1;
      for (let i = 0; i < 2000; i++) deep = [deep];
      (target as Record<string, unknown>)[r.pick(keys)] = deep;
    }
    return copy;
  }
}

interface Operation {
  readonly method: string;
  readonly path: string;
  readonly op: OpenApiOperation;
}

const METHODS = new Set(['get', 'post', 'put', 'patch', 'delete']);

/** Every operation of the document, in document order. */
export function listOperations(doc: FuzzedOpenApiDocument): Operation[] {
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, op] of Object.entries(item)) {
      if (METHODS.has(method))
        ops.push({ method: method.toUpperCase(), path, op: op as OpenApiOperation });
    }
  }
  return ops;
}

function buildRequest(
  g: Generator,
  r: Random,
  { method, path, op }: Operation,
  auth: Record<string, string>,
): FuzzRequest {
  const params = op.parameters ?? [];
  // Valid most of the time, so that requests get past validation into the handlers.
  const wild = r.chance(0.35);
  let url = path.replace(/\{([^}]+)\}/g, (_, name: string) => {
    const param = params.find((p) => p.in === 'path' && p.name === name);
    if (wild && r.chance(0.5)) {
      return r.chance(0.2)
        ? r.pick(['%', '%E0%A4%A', '%zz', 'x'.repeat(600), '%00', '%ED%A0%80'])
        : safeEncode(String(g.hostile()));
    }
    return safeEncode(String(g.valid(param?.schema, name)));
  });
  const query: string[] = [];
  for (const p of params.filter((p) => p.in === 'query')) {
    if (!p.required && r.chance(0.5)) continue;
    const value = wild && r.chance(0.5) ? g.hostile() : g.valid(p.schema, p.name);
    const values = Array.isArray(value) ? value : [value];
    for (const v of values) {
      const text = typeof v === 'string' ? v : JSON.stringify(v);
      query.push(`${encodeURIComponent(p.name)}=${safeEncode(text)}`);
    }
  }
  if (wild && r.chance(0.2)) query.push(`unknown=${safeEncode(String(g.hostile()))}`);
  if (query.length) url += `?${query.join('&')}`;

  const headers: Record<string, string> = { ...auth };
  const schema = op.requestBody?.content?.['application/json']?.schema;
  const hasBody = method !== 'GET' && method !== 'DELETE';
  if (!hasBody && !r.chance(0.05)) return { method, url, headers };
  let payload: string;
  if (r.chance(0.15)) {
    payload = r.pick(RAW_BODIES);
  } else {
    const value = schema ? g.valid(schema, 'body') : {};
    payload = JSON.stringify(r.chance(0.5) ? g.mutate(value) : value);
  }
  headers['content-type'] = r.chance(0.05)
    ? r.pick([
        'text/plain',
        'application/x-www-form-urlencoded',
        'application/json; charset=latin1',
      ])
    : 'application/json';
  return { method, url, headers, payload };
}

/** encodeURIComponent that cannot throw on lone surrogates (it percent-encodes U+FFFD then). */
function safeEncode(text: string): string {
  return encodeURIComponent(text.toWellFormed());
}

/** Checks one answer against the contract; the reason it breaks it, or undefined. */
export function contractViolation(res: FuzzResponse): string | undefined {
  if (res.statusCode >= 500) return `answered ${res.statusCode}`;
  if (res.statusCode < 400) return undefined;
  const header = res.headers['content-type'];
  const type = typeof header === 'string' ? header : '';
  if (!type.startsWith('application/problem+json'))
    return `a ${res.statusCode} as ${type || 'no content type'}`;
  let problem: { status?: unknown; code?: unknown };
  try {
    problem = JSON.parse(res.body) as { status?: unknown; code?: unknown };
  } catch {
    return `a ${res.statusCode} whose body is not JSON`;
  }
  if (problem.status !== res.statusCode)
    return `problem.status ${String(problem.status)} on a ${res.statusCode}`;
  if (typeof problem.code !== 'string' || !/^[A-Z][A-Z0-9_]*(\.[A-Z0-9_]+)+$/.test(problem.code)) {
    return `a ${res.statusCode} without a stable code`;
  }
  return undefined;
}

/**
 * Sends `options.requests` generated requests over every operation of `doc` through `send`
 * and reports each answer that breaks {@link contractViolation}.
 */
export async function fuzzOpenApi(
  doc: FuzzedOpenApiDocument,
  send: (request: FuzzRequest) => Promise<FuzzResponse>,
  options: FuzzOptions,
): Promise<FuzzReport> {
  const random = new Random(options.seed);
  const generator = new Generator(doc, random);
  generator.knownValues = options.knownValues ?? {};
  const ops = listOperations(doc);
  if (ops.length === 0) throw new Error('The OpenAPI document has no operations');
  const byStatus: Record<number, number> = {};
  const findings: FuzzFinding[] = [];
  for (let i = 0; i < options.requests; i++) {
    const op = ops[i % ops.length];
    const auth = options.auth[Math.floor(i / ops.length) % options.auth.length] ?? {};
    const request = buildRequest(generator, random, op, auth);
    const res = await send(request);
    byStatus[res.statusCode] = (byStatus[res.statusCode] ?? 0) + 1;
    const problem = contractViolation(res);
    if (problem)
      findings.push({ request, status: res.statusCode, problem, body: res.body.slice(0, 500) });
  }
  return { seed: options.seed, sent: options.requests, operations: ops.length, byStatus, findings };
}

/** What {@link fuzzService} needs of a Nest Fastify app. */
export interface InjectableApp {
  inject(request: {
    method: string;
    url: string;
    headers: Record<string, string>;
    payload?: string;
  }): Promise<{ statusCode: number; headers: Record<string, unknown>; body: string }>;
}

/**
 * Fuzzes a service's app over its own OpenAPI document (`/docs/json`), with the seed of
 * {@link fuzzSeed} (`IHF_FUZZ_REQUESTS` overrides the count of requests), and prints the seed, the count of requests and the statuses seen, so that a
 * failure in CI can be replayed with `IHF_FUZZ_SEED=<seed>`.
 */
export async function fuzzService(
  service: string,
  app: InjectableApp,
  options: Omit<FuzzOptions, 'seed'>,
): Promise<FuzzReport> {
  const docResponse = await app.inject({ method: 'GET', url: '/docs/json', headers: {} });
  if (docResponse.statusCode !== 200) {
    throw new Error(`${service}: /docs/json answered ${docResponse.statusCode}`);
  }
  const doc = JSON.parse(docResponse.body) as FuzzedOpenApiDocument;
  const seed = fuzzSeed();
  // A longer hunt on demand (`IHF_FUZZ_REQUESTS=5000`); CI keeps the bounded default.
  const requests = Number(process.env.IHF_FUZZ_REQUESTS ?? '') || options.requests;
  const report = await fuzzOpenApi(doc, (request) => app.inject(request), {
    ...options,
    requests,
    seed,
  });
  console.log(
    `[openapi fuzz] ${service}: seed ${seed} (replay with IHF_FUZZ_SEED=${seed}), ` +
      `${report.sent} requests over ${report.operations} operations, ` +
      `statuses ${JSON.stringify(report.byStatus)}, ${report.findings.length} contract violations`,
  );
  return report;
}

/** One request of a class of hostile input, and the code its problem must carry (if fixed). */
export interface HostileCase {
  readonly name: string;
  readonly request: FuzzRequest;
  /** The problem code expected whatever the credentials (refused before authentication). */
  readonly code?: string;
}

/**
 * The classes of client input that must never be a 5xx, for every operation of `doc`: JSON
 * nested thousands of levels deep, NUL and unpaired surrogates in body, query and path,
 * out-of-range cursors, bad percent-encoding, over-long path parameters, empty and non-JSON
 * bodies. Path parameters get `knownValues` (or valid values) unless they are the probe.
 */
export function hostileCases(
  doc: FuzzedOpenApiDocument,
  headers: Record<string, string>,
  knownValues: Readonly<Record<string, readonly string[]>> = {},
): HostileCase[] {
  const g = new Generator(doc, new Random(1));
  g.knownValues = Object.fromEntries(
    Object.entries(knownValues).map(([k, v]) => [k, v.slice(0, 1)]),
  );
  const cases: HostileCase[] = [];
  for (const { method, path, op } of listOperations(doc)) {
    const params = op.parameters ?? [];
    const pathParams = params.filter((p) => p.in === 'path');
    const fill = (probe?: { name: string; raw: string }) =>
      path.replace(/\{([^}]+)\}/g, (_, name: string) => {
        if (probe?.name === name) return probe.raw;
        const param = pathParams.find((p) => p.name === name);
        return knownValues[name]?.[0] ?? encodeURIComponent(String(g.valid(param?.schema, name)));
      });
    const url = fill();
    const label = `${method} ${path}`;
    const add = (
      name: string,
      request: Omit<FuzzRequest, 'headers'> & { headers?: Record<string, string> },
      code?: string,
    ) =>
      cases.push({
        name: `${label}: ${name}`,
        request: { ...request, headers: { ...headers, ...request.headers } },
        code,
      });

    add(
      'NUL in the query',
      { method, url: `${url}?${queryName(params)}=a%00b` },
      'REQUEST.VALIDATION_FAILED',
    );
    for (const p of pathParams) {
      add(
        `NUL in path parameter ${p.name}`,
        { method, url: fill({ name: p.name, raw: 'a%00b' }) },
        'REQUEST.VALIDATION_FAILED',
      );
      add(
        `bad percent-encoding in ${p.name}`,
        { method, url: fill({ name: p.name, raw: '%E0%A4%A' }) },
        'REQUEST.BAD_URL',
      );
      add(`encoded lone surrogate in ${p.name}`, {
        method,
        url: fill({ name: p.name, raw: '%ED%A0%80' }),
      });
      add(
        `over-long ${p.name}`,
        { method, url: fill({ name: p.name, raw: 'a'.repeat(2000) }) },
        'REQUEST.PARAMETER_TOO_LONG',
      );
    }
    for (const p of params.filter((q) => q.in === 'query' && isTimeParam(q))) {
      for (const time of ['-271821-04-20T00:00:00Z', '+275760-09-13T00:00:00Z', '0000-01-01']) {
        add(`${p.name} out of range (${time})`, {
          method,
          url: `${url}?${p.name}=${safeEncode(time)}`,
        });
      }
    }
    if (params.some((p) => p.in === 'query' && p.name === 'cursor')) {
      for (const cursor of HOSTILE_STRINGS.filter((s) => s.length > 40 && /^[\w-]+$/.test(s))) {
        add(`out-of-range cursor ${cursor.slice(0, 12)}…`, {
          method,
          url: `${url}?cursor=${cursor}`,
        });
      }
    }
    if (method === 'GET' || method === 'DELETE') continue;
    const json = { 'content-type': 'application/json' };
    add(
      'JSON nested 10000 deep',
      { method, url, headers: json, payload: `${'['.repeat(10_000)}${']'.repeat(10_000)}` },
      'REQUEST.JSON_TOO_DEEP',
    );
    add(
      'JSON objects nested 5000 deep',
      { method, url, headers: json, payload: `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}` },
      'REQUEST.JSON_TOO_DEEP',
    );
    add('empty JSON body', { method, url, headers: json, payload: '' });
    add(
      'malformed JSON',
      { method, url, headers: json, payload: '{"a":' },
      'REQUEST.MALFORMED_JSON',
    );
    add(
      'text/plain body',
      { method, url, headers: { 'content-type': 'text/plain' }, payload: 'hello' },
      'REQUEST.UNSUPPORTED_MEDIA_TYPE',
    );
    const schema = op.requestBody?.content?.['application/json']?.schema;
    const body = schema ? g.valid(schema, 'body') : {};
    for (const [what, bad] of [
      ['NUL', 'x\u0000y'],
      ['an unpaired surrogate', 'x\ud800y'],
      ['NUL in an e-mail address', 'user\u0000@example.com'],
      ['an unpaired surrogate in an e-mail address', 'us\udc00er@example.com'],
    ] as const) {
      add(
        `${what} in the body`,
        { method, url, headers: json, payload: JSON.stringify(withString(body, bad)) },
        'REQUEST.VALIDATION_FAILED',
      );
    }
    add(
      'NUL in a body key',
      { method, url, headers: json, payload: '{"a\\u0000":1}' },
      'REQUEST.VALIDATION_FAILED',
    );
  }
  return cases;
}

/** A parameter holding a time (by format, or by the names time ranges use). */
function isTimeParam(p: OpenApiParameter): boolean {
  return p.schema?.format === 'date-time' || ['from', 'to', 'since', 'until'].includes(p.name);
}

/** A query parameter of the operation (the first), or a made-up one. */
function queryName(params: readonly OpenApiParameter[]): string {
  return params.find((p) => p.in === 'query')?.name ?? 'probe';
}

/** `value` with its first string leaf (or a new `probe` member) set to `text`. */
function withString(value: unknown, text: string): unknown {
  if (typeof value !== 'object' || value === null) return { probe: text };
  const copy = JSON.parse(JSON.stringify(value)) as Record<string, unknown>;
  const visit = (node: Record<string, unknown> | unknown[]): boolean => {
    for (const [key, child] of Object.entries(node)) {
      if (typeof child === 'string') {
        (node as Record<string, unknown>)[key] = text;
        return true;
      }
      if (typeof child === 'object' && child !== null && visit(child as Record<string, unknown>))
        return true;
    }
    return false;
  };
  if (!visit(copy) && !Array.isArray(copy)) copy.probe = text;
  return copy;
}

/**
 * Sends every {@link hostileCases} request of `doc` once per set of `auths` headers through
 * `app`, prints how many, and returns what broke the contract (a 5xx, a 4xx that is not a
 * problem with a stable code, or not the code a case fixes): empty when all held.
 */
export async function sendHostileCases(
  service: string,
  app: InjectableApp,
  doc: FuzzedOpenApiDocument,
  auths: readonly Record<string, string>[],
  knownValues: Readonly<Record<string, readonly string[]>> = {},
): Promise<string[]> {
  const failures: string[] = [];
  let sent = 0;
  for (const headers of auths) {
    for (const c of hostileCases(doc, headers, knownValues)) {
      const res = await app.inject(c.request);
      sent++;
      const violation = contractViolation(res);
      // A 2xx may be CSV or Markdown (an export that ignores a hostile cursor): only JSON has a code.
      const header = res.headers['content-type'];
      const json = typeof header === 'string' && header.includes('json');
      const code = json
        ? (JSON.parse(res.body || 'null') as { code?: string } | null)?.code
        : undefined;
      if (violation) failures.push(`${c.name}: ${violation} ${res.body.slice(0, 200)}`);
      else if (c.code && code !== c.code) failures.push(`${c.name}: ${code} instead of ${c.code}`);
    }
  }
  console.log(`[hostile input] ${service}: ${sent} requests`);
  return failures;
}

/** The findings of a fuzz report, one line each (for `expect(…).toEqual([])`). */
export function describeFindings(report: FuzzReport): string[] {
  return report.findings.map(
    (x) => `${x.request.method} ${x.request.url.slice(0, 200)}: ${x.problem} ${x.body}`,
  );
}
