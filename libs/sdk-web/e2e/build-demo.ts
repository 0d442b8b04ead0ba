// Builds the browser bundles and the demo page's script (esbuild, through the .mjs scripts that
// `npm run build` and `npm run demo:build` use).
import { execFileSync } from 'node:child_process';

export function buildDemoFromNode(packageDir: string): Promise<void> {
  for (const script of ['scripts/bundle.mjs', 'demo/build.mjs']) {
    execFileSync(process.execPath, [script], { cwd: packageDir, stdio: 'inherit' });
  }
  return Promise.resolve();
}
