#!/usr/bin/env node
// `npm start`: builds what is stale, then starts every service as its own Node process (as in
// production), each migrating its schema on start; prints where each one listens once it is
// ready, and stops them all on Ctrl-C (or SIGINT/SIGTERM to this process; npm itself does not
// pass a signal sent to its own pid on to us). Environment: DATABASE_URL, NATS_URL (localhost
// defaults), and anything the services read (see README).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { DEFAULT_PORTS, listServices, requireInfrastructure, requireNode24 } from './services.mjs';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
requireNode24();
const env = { ...process.env };
await requireInfrastructure(env);

const services = listServices(root);
if (services.length === 0) {
  console.error('No services under services/ yet: nothing to start.');
  process.exit(1);
}

console.log('Building (incremental)...');
const build = spawnSync(
  process.execPath,
  [join(root, 'node_modules/typescript/bin/tsc'), '-b', 'tsconfig.build.json'],
  {
    cwd: root,
    stdio: 'inherit',
  },
);
if (build.status !== 0) process.exit(build.status ?? 1);

// Development default: JetStream reserves each stream's size on the server up front; the
// production sizes (up to 20 GiB) would not fit on many laptops.
env.IHF_STREAM_MAX_BYTES ??= String(1024 ** 3);
// Development default: pages served from another local port (the SDK demo) may call the APIs.
env.CORS_ALLOWED_ORIGINS ??= '*';
env.IHF_JWKS_URL ??= `http://127.0.0.1:${env.IDENTITY_PORT ?? DEFAULT_PORTS.identity}/.well-known/jwks.json`;
const children = new Map();
let stopping = false;

function portOf(name) {
  return Number(
    env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`] ??
      DEFAULT_PORTS[name] ??
      3100 + children.size,
  );
}

for (const name of services) {
  const port = portOf(name);
  const child = spawn(process.execPath, [join(root, 'services', name, 'dist', 'main.js')], {
    cwd: root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
    // Own process group: Ctrl-C in the terminal reaches only this runner, which then stops
    // each service once (SIGTERM) so that it drains; a second signal would make it exit at once.
    detached: true,
  });
  children.set(name, { child, port });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) =>
      process.stdout.write(`[${name}] ${line}\n`),
    );
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`\n${name} exited (${signal ?? `code ${code}`}); stopping the others.`);
      void stopAll(1);
    } else if (children.size === 0) {
      process.exit(process.exitCode ?? 0);
    }
  });
}

// Report each service once its readiness check passes.
for (const [name, { port }] of children) {
  void (async () => {
    const deadline = Date.now() + 120_000;
    while (!stopping && Date.now() < deadline) {
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
        if (res.ok) {
          console.log(
            `\n  ${name.padEnd(20)} ready on http://127.0.0.1:${port}  (API docs: /docs)\n`,
          );
          return;
        }
      } catch {
        // not listening yet
      }
      await new Promise((r) => setTimeout(r, 500));
    }
    if (!stopping) console.error(`${name} is not ready after 120 s; see its log lines above.`);
  })();
}

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  console.log('\nStopping services...');
  for (const { child } of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const { child } of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 15_000).unref();
  if (children.size === 0) process.exit(code);
}

process.on('SIGINT', () => void stopAll(0));
process.on('SIGTERM', () => void stopAll(0));
