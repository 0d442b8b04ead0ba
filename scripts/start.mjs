#!/usr/bin/env node
// `npm start`: builds what is stale, then starts every service as its own Node process (as in
// production), each migrating its schema on start; prints a table of the services, their URLs
// and readiness once each is ready (or given up on), and stops them all on Ctrl-C, on
// SIGINT/SIGTERM/SIGHUP to this process or to npm (package.json `exec`s this script, so npm's
// forwarded signal reaches it), and when npm dies without forwarding one (its parent changes).
// Each service is preloaded with exit-with-parent.cjs, so that it stops when this runner dies
// uncleanly too. Logs: human-readable (pino-pretty) when stdout is a terminal, else the
// services' JSON lines unchanged on stdout, and this runner's own lines on stderr.
// Environment: DATABASE_URL, NATS_URL (localhost defaults), and anything the services read
// (see README).
import { spawn, spawnSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createInterface } from 'node:readline';
import { prettyFactory } from 'pino-pretty';
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

const say = (line) => process.stderr.write(`${line}\n`);
say('Building (incremental)...');
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
// Development default: notifications seals webhook secrets and signs unsubscribe links with this
// key; a fixed one keeps them valid across restarts. Never use it outside development.
env.NOTIFICATIONS_SECRET_KEY ??= 'aWhmLWRldmVsb3BtZW50LW9ubHktbm90LXNlY3JldCE=';
env.IHF_JWKS_URL ??= `http://127.0.0.1:${env.IDENTITY_PORT ?? DEFAULT_PORTS.identity}/.well-known/jwks.json`;
const children = new Map();
let stopping = false;

const tty = Boolean(process.stdout.isTTY);
const pretty = tty
  ? prettyFactory({
      colorize: true,
      translateTime: 'SYS:HH:MM:ss.l',
      ignore: 'pid,hostname,service',
      singleLine: true,
    })
  : undefined;

/** One line of a service's output: pretty on a terminal, else JSON as is. */
function relay(name, line) {
  const json = line.startsWith('{');
  if (pretty && json) process.stdout.write(`${name.padEnd(10)} ${pretty(line)}`);
  else if (json) process.stdout.write(`${line}\n`);
  // Not a log line (a crash's stack, a Node warning): say whose it is.
  else process.stdout.write(`[${name}] ${line}\n`);
}

function portOf(name) {
  return Number(
    env[`${name.toUpperCase().replace(/-/g, '_')}_PORT`] ??
      DEFAULT_PORTS[name] ??
      3100 + children.size,
  );
}

for (const name of services) {
  const port = portOf(name);
  const child = spawn(
    process.execPath,
    [
      '--require',
      join(root, 'scripts', 'exit-with-parent.cjs'),
      join(root, 'services', name, 'dist', 'main.js'),
    ],
    {
      cwd: root,
      env: { ...env, PORT: String(port) },
      // The IPC channel only tells the service when this runner is gone (exit-with-parent.cjs).
      stdio: ['ignore', 'pipe', 'pipe', 'ipc'],
      // Own process group: Ctrl-C in the terminal reaches only this runner, which then stops
      // each service once (SIGTERM) so that it drains; a second signal would make it exit at
      // once.
      detached: true,
    },
  );
  children.set(name, { child, port });
  for (const stream of [child.stdout, child.stderr]) {
    createInterface({ input: stream }).on('line', (line) => relay(name, line));
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      say(`\n${name} exited (${signal ?? `code ${code}`}); stopping the others.`);
      void stopAll(1);
    } else if (children.size === 0) {
      say('All services stopped.');
      process.exit(process.exitCode ?? 0);
    }
  });
}

const READY_WITHIN_MS = 120_000;

/** Seconds until `/health/ready` of `port` answered 200, or undefined if it never did. */
async function readiness(port, started) {
  const deadline = started + READY_WITHIN_MS;
  while (!stopping && Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.ok) return (Date.now() - started) / 1000;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 500));
  }
  return undefined;
}

// Once every service is ready or given up on: one table, after the start-up logs.
const started = Date.now();
const entries = [...children].map(([name, { port }]) => ({ name, port }));
void Promise.all(entries.map((e) => readiness(e.port, started))).then((seconds) => {
  if (stopping) return;
  const rows = entries.map((e, i) => [
    e.name,
    `http://127.0.0.1:${e.port}`,
    `http://127.0.0.1:${e.port}/docs`,
    seconds[i] === undefined
      ? `NOT READY after ${READY_WITHIN_MS / 1000} s (see its logs)`
      : `ready (${seconds[i].toFixed(1)} s)`,
  ]);
  const head = ['Service', 'URL', 'API docs', 'Readiness'];
  const widths = head.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c].length)));
  const line = (cells) =>
    `  ${cells.map((cell, c) => cell.padEnd(widths[c])).join('  ')}`.trimEnd();
  const table = [
    '',
    line(head),
    line(widths.map((w) => '-'.repeat(w))),
    ...rows.map(line),
    '',
    '  Ctrl-C stops every service.',
    '',
  ].join('\n');
  // On a terminal after the logs; otherwise on stderr, so stdout stays JSON lines.
  (tty ? process.stdout : process.stderr).write(`${table}\n`);
});

async function stopAll(code) {
  if (stopping) return;
  stopping = true;
  process.exitCode = code;
  say('\nStopping services...');
  for (const { child } of children.values()) child.kill('SIGTERM');
  setTimeout(() => {
    for (const { child } of children.values()) child.kill('SIGKILL');
    process.exit(code || 1);
  }, 15_000).unref();
  if (children.size === 0) process.exit(code);
}

for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => void stopAll(0));
// npm killed without passing a signal on (SIGKILL, or a shell in between): this runner is
// re-parented, and must not leave the services running.
const parent = process.ppid;
setInterval(() => {
  if (process.ppid !== parent) void stopAll(0);
}, 500).unref();
