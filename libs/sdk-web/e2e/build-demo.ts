// Builds the browser bundles and the demo page's script (esbuild, through the .mjs scripts that
// `npm run build` and `npm run demo:build` use).
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, rmdirSync, statSync } from 'node:fs';
import { join } from 'node:path';

export function buildDemoFromNode(packageDir: string): Promise<void> {
  for (const script of ['scripts/bundle.mjs', 'demo/build.mjs']) {
    execFileSync(process.execPath, [script], { cwd: packageDir, stdio: 'inherit' });
  }
  return Promise.resolve();
}

/** Newest modification time of the files under `dir` (recursively), or of `dir` itself. */
function newest(path: string): number {
  if (!existsSync(path)) return 0;
  const stat = statSync(path);
  if (!stat.isDirectory()) return stat.mtimeMs;
  let max = 0;
  for (const entry of readdirSync(path)) max = Math.max(max, newest(join(path, entry)));
  return max;
}

/** Whether the bundles and the demo script are older than their sources (or missing). */
export function demoIsStale(packageDir: string): boolean {
  const sources = Math.max(
    newest(join(packageDir, 'src')),
    newest(join(packageDir, 'demo/main.ts')),
    newest(join(packageDir, 'demo/config.ts')),
    newest(join(packageDir, 'demo/build.mjs')),
    newest(join(packageDir, 'scripts/bundle.mjs')),
  );
  const outputs = ['demo/dist/demo.js', 'dist/browser/ihf-sdk.min.js'].map((f) =>
    newest(join(packageDir, f)),
  );
  return outputs.some((built) => built === 0 || built < sources);
}

/**
 * Builds the demo page and the bundles only when they are stale. Test files run in parallel and
 * serve these files: a directory lock keeps one build at a time, and a file that is fresh is
 * never rewritten under a page that is loading it.
 */
export async function ensureDemoBuilt(packageDir: string, timeoutMs = 120_000): Promise<void> {
  if (!demoIsStale(packageDir)) return;
  const lock = join(packageDir, 'demo/dist/.build-lock'); // dist/ is not committed
  mkdirSync(join(packageDir, 'demo/dist'), { recursive: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(lock);
      break;
    } catch {
      // A lock older than the timeout was left by a killed build.
      if (existsSync(lock) && Date.now() - statSync(lock).mtimeMs > timeoutMs) {
        rmdirSync(lock);
        continue;
      }
      if (Date.now() > deadline) throw new Error(`${lock} held for ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  try {
    if (demoIsStale(packageDir)) await buildDemoFromNode(packageDir);
  } finally {
    rmdirSync(lock);
  }
}
