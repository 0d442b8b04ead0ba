/**
 * `npm run bench:smoke`: every benchmark's smoke mode, one after the other (CI runs it before
 * the tests). Every `bench:<name>` script of the root package.json is a benchmark and must take
 * `--smoke` (tiny data, its own database and namespace, cleaned up, correctness still checked);
 * a new benchmark is therefore smoke-run as soon as it has its script. Exits non-zero when any
 * of them fails or does not finish within 5 minutes.
 */
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './lib/session.ts';

const TIMEOUT_MS = 5 * 60_000;

const pkg = JSON.parse(readFileSync(join(repoRoot, 'package.json'), 'utf8')) as {
  scripts: Record<string, string>;
};
const only = process.argv.slice(2);
const benches = Object.keys(pkg.scripts)
  .filter((s) => s.startsWith('bench:') && s !== 'bench:smoke')
  .filter((s) => only.length === 0 || only.includes(s.slice('bench:'.length)));

/** Runs `npm run <script> -- --smoke` in a process group of its own; its exit code (or null). */
function smoke(script: string): Promise<number | null> {
  return new Promise((resolve) => {
    const child = spawn('npm', ['run', script, '--', '--smoke'], {
      cwd: repoRoot,
      stdio: 'inherit',
      // Its own group, so that a timeout stops npm, its shell and the benchmark together.
      detached: true,
    });
    const timer = setTimeout(() => {
      console.error(`${script} --smoke: no end after ${TIMEOUT_MS / 1000} s, stopping it`);
      if (child.pid !== undefined) process.kill(-child.pid, 'SIGINT');
    }, TIMEOUT_MS);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve(code);
    });
  });
}

const rows: string[] = [];
let failed = 0;
const started = Date.now();
for (const script of benches) {
  console.log(`\n=== npm run ${script} -- --smoke`);
  const t = Date.now();
  const code = await smoke(script);
  const seconds = ((Date.now() - t) / 1000).toFixed(1);
  if (code !== 0) failed++;
  rows.push(`${code === 0 ? 'ok  ' : 'FAIL'} ${script} --smoke (${seconds} s)`);
}
console.log(`\nBenchmarks, smoke mode (${((Date.now() - started) / 1000).toFixed(1)} s):`);
for (const r of rows) console.log(`  ${r}`);
if (benches.length === 0) {
  console.error('no bench:* script found');
  failed++;
}
if (failed > 0) process.exitCode = 1;
