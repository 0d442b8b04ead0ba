#!/usr/bin/env node
// `npm run migrate`: builds, then brings every service's schema up to date (each under its
// advisory lock, as on start). One service: `npm run migrate -w services/<name>`.
import { spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { listServices, requireInfrastructure, requireNode24 } from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
requireNode24();
// Migrating needs Postgres only.
await requireInfrastructure(process.env, { what: 'migrate', nats: false });
const run = (args, cwd = root) =>
  spawnSync(process.execPath, args, { cwd, stdio: 'inherit' }).status ?? 1;
if (run([join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json']) !== 0)
  process.exit(1);
for (const name of listServices(root)) {
  console.log(`migrating ${name}...`);
  if (run([join(root, 'services', name, 'dist', 'migrate.js')]) !== 0) process.exit(1);
}
