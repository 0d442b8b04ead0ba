// The services of this repository and their default ports (ARCHITECTURE.md), shared by
// `npm start` and `npm run migrate`.
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { Socket } from 'node:net';

export const DEFAULT_PORTS = {
  identity: 3000,
  ingestion: 3001,
  feedback: 3002,
  governance: 3003,
  'deployment-outcomes': 3004,
  'agent-proposals': 3005,
  notifications: 3006,
};

/** Services present under services/ with an entry point (identity first: the others fetch its keys). */
export function listServices(root) {
  const dir = join(root, 'services');
  if (!existsSync(dir)) return [];
  const order = Object.keys(DEFAULT_PORTS);
  return readdirSync(dir)
    .filter((name) => existsSync(join(dir, name, 'src', 'main.ts')))
    .sort(
      (a, b) => (order.indexOf(a) + 1 || 99) - (order.indexOf(b) + 1 || 99) || a.localeCompare(b),
    );
}

/** Whether host:port of a URL accepts a TCP connection within a second. */
export function reachable(url, defaultPort) {
  const u = new URL(url.split(',')[0]);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(u.port || defaultPort), u.hostname, () => done(true));
  });
}

/**
 * Exits with a message saying what to start when Postgres (or, unless `nats: false`, NATS)
 * is not reachable, or what is wrong with a URL.
 */
export async function requireInfrastructure(env, { what = 'start IHF', nats = true } = {}) {
  const databaseUrl = env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ihf';
  const natsUrl = env.NATS_URL ?? 'nats://127.0.0.1:4222';
  const problems = [];
  for (const [name, url] of [
    ['DATABASE_URL', databaseUrl],
    ...(nats ? [['NATS_URL', natsUrl]] : []),
  ]) {
    try {
      new URL(url.split(',')[0]);
    } catch {
      problems.push(
        `${name} is not a URL: '${url}' (e.g. ${name === 'NATS_URL' ? 'nats://127.0.0.1:4222' : 'postgres://postgres@127.0.0.1:5432/ihf'})`,
      );
    }
  }
  if (problems.length) {
    console.error(`Cannot ${what}:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  if (!(await reachable(databaseUrl, 5432))) {
    problems.push(
      `PostgreSQL is not reachable at ${new URL(databaseUrl).host}.\n` +
        '    Start it:  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '    or point DATABASE_URL at a running server (docker compose up -d postgres also works).',
    );
  }
  if (nats && !(await reachable(natsUrl, 4222))) {
    problems.push(
      `NATS is not reachable at ${natsUrl}.\n` +
        '    Start it with JetStream:  nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/ihf-nats &\n' +
        '    or point NATS_URL at a running server (docker compose up -d nats also works).',
    );
  }
  if (problems.length) {
    console.error(`Cannot ${what}:\n  ${problems.join('\n  ')}`);
    process.exit(1);
  }
  return { databaseUrl, natsUrl };
}

export function requireNode24() {
  if (Number(process.versions.node.split('.')[0]) !== 24) {
    console.error(`IHF needs Node 24 (this is ${process.version}). Run: . scripts/use-node24.sh`);
    process.exit(1);
  }
}
