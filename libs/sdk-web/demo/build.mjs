#!/usr/bin/env node
// Builds the demo page's script (demo/dist/demo.js) with esbuild; React and Vue come from
// node_modules (no CDN).
import { build } from 'esbuild';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));

export async function buildDemo() {
  await build({
    entryPoints: [join(here, 'main.ts')],
    outfile: join(here, 'dist/demo.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: ['es2020'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
    define: {
      'process.env.NODE_ENV': '"production"',
      __VUE_OPTIONS_API__: 'false',
      __VUE_PROD_DEVTOOLS__: 'false',
      __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
    },
  });
  return join(here, 'dist/demo.js');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  console.log(`built ${await buildDemo()}`);
}
