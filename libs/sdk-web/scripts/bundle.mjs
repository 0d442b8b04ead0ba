#!/usr/bin/env node
// Browser bundles of @ihf/sdk-web (esbuild), and the size budget of the core:
//   dist/browser/ihf-sdk.min.js      the core as one minified ES module (what the budget measures)
//   dist/browser/ihf-sdk.iife.js     core + <ihf-widget> + annotation UI for a plain <script>, global IHF
//   dist/browser/conformance.iife.js the check the conformance checker injects into a page
// `--check-size` exits non-zero when the gzipped core is over budget.
import { build } from 'esbuild';
import { mkdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

export const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
/** The budget of the issue: the core, minified and gzipped, under 6 KB. */
export const CORE_GZIP_BUDGET = 6 * 1024;

const common = {
  bundle: true,
  minify: true,
  platform: 'browser',
  target: ['es2020', 'chrome90', 'firefox90', 'safari15'],
  legalComments: 'none',
  logLevel: 'warning',
  // No runtime dependencies: anything from node_modules in these bundles would be a mistake.
  external: ['react', 'vue'],
};

/** Builds the three bundles into `outdir`; returns the core's raw and gzipped sizes. */
export async function bundle(outdir = join(PACKAGE_DIR, 'dist/browser')) {
  mkdirSync(outdir, { recursive: true });
  const src = (p) => join(PACKAGE_DIR, 'src', p);
  const core = join(outdir, 'ihf-sdk.min.js');
  await build({ ...common, entryPoints: [src('index.ts')], format: 'esm', outfile: core });
  await build({
    ...common,
    entryPoints: [src('browser-global.ts')],
    format: 'iife',
    globalName: 'IHF',
    outfile: join(outdir, 'ihf-sdk.iife.js'),
  });
  await build({
    ...common,
    entryPoints: [src('conformance/page-entry.ts')],
    format: 'iife',
    outfile: join(outdir, 'conformance.iife.js'),
  });
  const raw = readFileSync(core);
  return { file: core, bytes: raw.length, gzipBytes: gzipSync(raw, { level: 9 }).length };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const size = await bundle();
  const ok = size.gzipBytes < CORE_GZIP_BUDGET;
  console.log(
    `core: ${size.bytes} B minified, ${size.gzipBytes} B gzipped ` +
      `(budget ${CORE_GZIP_BUDGET} B) ${ok ? 'OK' : 'OVER BUDGET'}`,
  );
  if (process.argv.includes('--check-size') && !ok) process.exit(1);
}
