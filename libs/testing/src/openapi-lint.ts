import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

/** One finding of Spectral. */
export interface SpectralFinding {
  readonly code: string;
  readonly message: string;
  readonly path: readonly (string | number)[];
  /** 0 error, 1 warning, 2 information, 3 hint. */
  readonly severity: number;
}

/** What Spectral says about a document. */
export interface SpectralReport {
  readonly errors: number;
  readonly warnings: number;
  readonly findings: readonly SpectralFinding[];
}

/**
 * Writes `document` to `$IHF_OPENAPI_OUT/<service>.json` when that variable names a folder
 * (to read or diff the documents the tests checked); does nothing otherwise.
 */
export function writeOpenApi(service: string, document: object): void {
  const dir = process.env.IHF_OPENAPI_OUT;
  if (!dir) return;
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, `${service}.json`), `${JSON.stringify(document, null, 2)}\n`);
}

/** The repository root: the folder that holds `.spectral.yaml`. */
function repositoryRoot(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, '.spectral.yaml'))) return dir;
    if (dirname(dir) === dir) throw new Error('No .spectral.yaml above ' + __dirname);
  }
}

/**
 * Lints an OpenAPI document with the Spectral CLI and the repository's `.spectral.yaml`
 * (`spectral:oas`), and returns its findings.
 */
export function lintOpenApi(document: object): SpectralReport {
  const root = repositoryRoot();
  const dir = mkdtempSync(join(tmpdir(), 'ihf-openapi-'));
  try {
    const file = join(dir, 'openapi.json');
    writeFileSync(file, JSON.stringify(document, null, 2));
    const cli = require.resolve('@stoplight/spectral-cli/dist/index.js', { paths: [root] });
    const run = spawnSync(
      process.execPath,
      [cli, 'lint', file, '--ruleset', join(root, '.spectral.yaml'), '--format', 'json', '--quiet'],
      { encoding: 'utf8', cwd: root },
    );
    const out = run.stdout.trim();
    // With no finding, --quiet --format json prints nothing (or "[]").
    const findings =
      out === '' || out.startsWith('No results') ? [] : (JSON.parse(out) as SpectralFinding[]);
    if (run.status !== 0 && findings.length === 0) {
      throw new Error(`spectral failed (${run.status}): ${run.stderr}`);
    }
    return {
      errors: findings.filter((f) => f.severity === 0).length,
      warnings: findings.filter((f) => f.severity === 1).length,
      findings,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

interface DocumentedOperation {
  readonly summary?: string;
  readonly description?: string;
  readonly tags?: readonly string[];
  readonly security?: readonly Record<string, unknown>[];
  readonly requestBody?: unknown;
  readonly responses?: Record<
    string,
    {
      readonly content?: Record<
        string,
        { readonly schema?: { readonly $ref?: string; readonly allOf?: { $ref?: string }[] } }
      >;
    }
  >;
}

/**
 * What the project's own rules ask of every operation beyond Spectral's: a summary, a
 * description, global tags, a success answer with a body schema (or 204), every error answer
 * as `application/problem+json` referencing the shared problem schema, and a security scheme
 * that the document defines (or none, for a public operation). Returns what is missing.
 */
export function openApiGaps(document: {
  readonly tags?: readonly { readonly name: string }[];
  readonly paths: Record<string, Record<string, DocumentedOperation>>;
  readonly components?: { readonly securitySchemes?: Record<string, unknown> };
}): string[] {
  const gaps: string[] = [];
  const tags = new Set((document.tags ?? []).map((t) => t.name));
  const schemes = new Set(Object.keys(document.components?.securitySchemes ?? {}));
  for (const [path, operations] of Object.entries(document.paths)) {
    for (const [method, op] of Object.entries(operations)) {
      const at = `${method.toUpperCase()} ${path}`;
      if (!op.summary) gaps.push(`${at}: no summary`);
      if (!op.description) gaps.push(`${at}: no description`);
      if (!op.tags?.length || op.tags.some((t) => !tags.has(t)))
        gaps.push(`${at}: tags not global`);
      for (const requirement of op.security ?? []) {
        for (const name of Object.keys(requirement)) {
          if (!schemes.has(name)) gaps.push(`${at}: undefined security scheme ${name}`);
        }
      }
      const responses = Object.entries(op.responses ?? {});
      const success = responses.filter(([status]) => /^2/.test(status));
      if (success.length !== 1) gaps.push(`${at}: ${success.length} success answers`);
      for (const [status, response] of success) {
        if (status !== '204' && !response.content?.['application/json']?.schema) {
          gaps.push(`${at}: ${status} has no JSON body schema`);
        }
      }
      for (const [status, response] of responses.filter(([s]) => /^[45]/.test(s))) {
        const schema = response.content?.['application/problem+json']?.schema;
        const ref = schema?.$ref ?? schema?.allOf?.[0]?.$ref;
        if (!ref?.endsWith('/ProblemDoc')) gaps.push(`${at}: ${status} is not a problem`);
      }
    }
  }
  return gaps;
}

/** A service's OpenAPI document as served, and what the checks of every service say of it. */
export interface ServedOpenApi {
  /** `/docs-json`. */
  readonly document: Record<string, unknown>;
  /** `/docs/json` (must be the same document). */
  readonly alternate: Record<string, unknown>;
  readonly lint: SpectralReport;
  readonly gaps: readonly string[];
}

/**
 * Fetches `service`'s document at both paths through `inject` (its app's), writes it out (see
 * {@link writeOpenApi}), lints it, prints Spectral's counts and lists its gaps: the part every
 * service's `openapi.int-spec.ts` checks alike. Throws when a path does not answer 200 JSON.
 */
export async function servedOpenApi(
  service: string,
  inject: (url: string) => Promise<{
    statusCode: number;
    headers: Record<string, unknown>;
    body: string;
  }>,
): Promise<ServedOpenApi> {
  const fetchDocument = async (url: string): Promise<Record<string, unknown>> => {
    const res = await inject(url);
    const header = res.headers['content-type'];
    const type = typeof header === 'string' ? header : '';
    if (res.statusCode !== 200 || !type.startsWith('application/json'))
      throw new Error(`${service} ${url}: ${res.statusCode} ${type}, not a JSON document`);
    return JSON.parse(res.body) as Record<string, unknown>;
  };
  const document = await fetchDocument('/docs-json');
  const alternate = await fetchDocument('/docs/json');
  writeOpenApi(service, document);
  const lint = lintOpenApi(document);
  console.log(
    `Spectral (spectral:oas) on ${service}: ${lint.errors} errors, ${lint.warnings} warnings`,
  );
  return { document, alternate, lint, gaps: openApiGaps(document as never) };
}
