// Issue 11, "Running it": a front-end team can install the SDK before it is published. `npm
// pack` of this package (which builds it first, `prepack`), then `npm install <tarball>`
// offline into a fresh project, as the README says; the installed package must resolve through
// its `exports` as a consumer's Node and TypeScript see it, and its `<script>` bundle must
// define the global `IHF` in a page.
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { JSDOM } from 'jsdom';

const run = promisify(execFile);
const PKG = join(__dirname, '..');
const ROOT = join(PKG, '../..');
/** npm as a front-end developer runs it (the one on PATH). */
function npm(args: string[], cwd: string) {
  return run('npm', [...args, '--no-audit', '--no-fund', '--loglevel=error'], {
    cwd,
    timeout: 170_000,
    maxBuffer: 16 * 1024 * 1024,
    env: { ...process.env, npm_config_update_notifier: 'false' },
  });
}

describe('@ihf/sdk-web as a tarball installed into a fresh project', () => {
  let work: string;
  let app: string;
  let installed: string;

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'ihf-sdk-pack-'));
    const { stdout } = await npm(['pack', '--json', '--pack-destination', work], PKG);
    // The prepack build prints its sizes first; the JSON report is the rest.
    const report = stdout.slice(stdout.search(/^\[/m));
    const [packed] = JSON.parse(report) as { filename: string; files: { path: string }[] }[];
    app = join(work, 'app');
    writeFileSync(join(work, 'files.json'), JSON.stringify(packed.files.map((f) => f.path)));
    await run('mkdir', ['-p', app]);
    writeFileSync(
      join(app, 'package.json'),
      JSON.stringify({ name: 'front-end-app', version: '1.0.0', private: true, type: 'module' }),
    );
    // Offline: the SDK has no dependencies, so nothing may need the registry.
    await npm(['install', '--offline', join(work, packed.filename)], app);
    installed = join(app, 'node_modules/@ihf/sdk-web');
  }, 180_000);
  afterAll(() => {
    if (work) rmSync(work, { recursive: true, force: true });
  });

  it('packs only what a consumer needs: built modules, declarations, bundles, the checker, the README', () => {
    const files = JSON.parse(readFileSync(join(work, 'files.json'), 'utf8')) as string[];
    for (const needed of [
      'package.json',
      'README.md',
      'dist/index.js',
      'dist/index.d.ts',
      'dist/react/index.js',
      'dist/vue/index.js',
      'dist/web-component/index.js',
      'dist/annotate/index.js',
      'dist/conformance/index.js',
      'dist/browser/ihf-sdk.min.js',
      'dist/browser/ihf-sdk.iife.js',
      'bin/ihf-sdk-check.mjs',
    ])
      expect(files).toContain(needed);
    expect(files.filter((f) => /\.spec\.|test-helper|(^|\/)(src|e2e|demo|test)\//.test(f))).toEqual(
      [],
    );
    const manifest = JSON.parse(readFileSync(join(installed, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
  });

  it('is imported by Node through its exports, with the documented API', async () => {
    const probe = join(app, 'probe.mjs');
    writeFileSync(
      probe,
      `import * as core from '@ihf/sdk-web';
import * as annotate from '@ihf/sdk-web/annotate';
import * as wc from '@ihf/sdk-web/web-component';
import * as conformance from '@ihf/sdk-web/conformance';
const api = (m) => Object.keys(m).filter((k) => typeof m[k] === 'function').sort();
console.log(JSON.stringify({
  core: api(core), annotate: api(annotate), wc: api(wc), conformance: Object.keys(conformance).length,
  uuid: core.uuid(), contract: core.ENVELOPE_CONTRACT_V1 !== undefined,
}));
`,
    );
    const { stdout } = await run(process.execPath, [probe], { cwd: app });
    const seen = JSON.parse(stdout) as {
      core: string[];
      annotate: string[];
      wc: string[];
      conformance: number;
      uuid: string;
      contract: boolean;
    };
    expect(seen.core).toEqual(
      expect.arrayContaining([
        'createTracker',
        'readWidget',
        'validateElement',
        'widgetAttributes',
        'uuid',
      ]),
    );
    expect(seen.annotate).toContain('createAnnotator');
    expect(seen.wc).toContain('defineIhfWidget');
    expect(seen.conformance).toBeGreaterThan(0);
    expect(seen.uuid).toMatch(
      /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/,
    );
    expect(seen.contract).toBe(true);
  });

  it('type-checks a consumer written against the README', async () => {
    writeFileSync(
      join(app, 'consumer.ts'),
      `import { createTracker, type Tracker } from '@ihf/sdk-web';
import { createAnnotator } from '@ihf/sdk-web/annotate';
const tracker: Tracker = createTracker({ endpoint: 'https://ihf.example.com', apiKey: 'ihf_ab12cd34_x', consent: true });
tracker.setConsent(false);
createAnnotator({ endpoint: 'https://ihf.example.com', apiKey: 'ihf_ab12cd34_x' }).mountLauncher('Feedback');
`,
    );
    writeFileSync(
      join(app, 'tsconfig.json'),
      JSON.stringify({
        compilerOptions: {
          strict: true,
          noEmit: true,
          target: 'es2022',
          module: 'esnext',
          moduleResolution: 'bundler',
          lib: ['es2022', 'dom', 'dom.iterable'],
          types: [],
          skipLibCheck: false,
        },
        files: ['consumer.ts'],
      }),
    );
    await run(process.execPath, [join(ROOT, 'node_modules/typescript/bin/tsc'), '-p', app], {
      cwd: app,
    });
  });

  it('defines the global IHF in a page with its <script> bundle', () => {
    // As a page includes it: one classic <script> (the bundle is ours, from the tarball).
    const dom = new JSDOM('<!doctype html><body></body>', { runScripts: 'dangerously' });
    const script = dom.window.document.createElement('script');
    script.textContent = readFileSync(join(installed, 'dist/browser/ihf-sdk.iife.js'), 'utf8');
    dom.window.document.body.appendChild(script);
    const ihf = (dom.window as unknown as { IHF?: Record<string, unknown> }).IHF;
    expect(ihf).toBeDefined();
    for (const fn of ['createTracker', 'defineIhfWidget', 'createAnnotator', 'uuid'])
      expect(typeof ihf![fn]).toBe('function');
    dom.window.close();
  });
});
