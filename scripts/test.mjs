#!/usr/bin/env node
// `npm test`: every unit and integration test of the repository, in one Jest run.
// Postgres and NATS come from DATABASE_URL / NATS_URL, else Testcontainers, else the local
// defaults (see libs/testing); each test file gets its own database and bus namespace.
// Extra arguments go to Jest (e.g. `npm test -- libs/messaging`).
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const major = Number(process.versions.node.split('.')[0]);
if (major !== 24) {
  console.error(
    `npm test needs Node 24 (this is ${process.version}). Run: . scripts/use-node24.sh`,
  );
  process.exit(1);
}
const args = [
  // Nest 12 and MikroORM 7 are ES modules loaded from our CommonJS code through require(esm).
  '--experimental-vm-modules',
  '--disable-warning=ExperimentalWarning',
  join(root, 'node_modules/jest/bin/jest.js'),
  '--maxWorkers=2',
  ...process.argv.slice(2),
];
const summaryDir = mkdtempSync(join(tmpdir(), 'ihf-test-'));
const summaryFile = join(summaryDir, 'summary');
const result = spawnSync(process.execPath, args, {
  stdio: 'inherit',
  cwd: root,
  env: { ...process.env, IHF_TEST_SUMMARY_FILE: summaryFile },
});
// The closing line: after Jest's own summary.
if (existsSync(summaryFile)) console.log(`\n${readFileSync(summaryFile, 'utf8')}`);
rmSync(summaryDir, { recursive: true, force: true });
process.exit(result.status ?? 1);
