import { Socket } from 'node:net';

/** Where the tests' Postgres and NATS servers are. */
export interface TestInfrastructure {
  /** Admin connection to the server; each test file creates its own database on it. */
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly source: 'environment' | 'testcontainers' | 'local defaults';
}

const LOCAL_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
const LOCAL_NATS_URL = 'nats://127.0.0.1:4222';

/**
 * Finds Postgres and NATS for the test run, in this order:
 *  1. DATABASE_URL / NATS_URL from the environment;
 *  2. Testcontainers, when a container runtime exists (Postgres 17, NATS with JetStream);
 *  3. the local defaults (127.0.0.1:5432 and :4222), when they answer;
 *  4. otherwise fail with a message saying what to start.
 * Called once per run from Jest's global setup, which exports the result as environment
 * variables for the test workers.
 */
export async function resolveInfrastructure(): Promise<{
  infrastructure: TestInfrastructure;
  stop: () => Promise<void>;
}> {
  const { DATABASE_URL, NATS_URL } = process.env;
  if (DATABASE_URL && NATS_URL) {
    return {
      infrastructure: { databaseUrl: DATABASE_URL, natsUrl: NATS_URL, source: 'environment' },
      stop: () => Promise.resolve(),
    };
  }
  // Containers only when neither server was named: a variable that is set always wins.
  const containers = DATABASE_URL || NATS_URL ? undefined : await tryTestcontainers();
  if (containers) return containers;

  const databaseUrl = DATABASE_URL ?? LOCAL_DATABASE_URL;
  const natsUrl = NATS_URL ?? LOCAL_NATS_URL;
  const missing: string[] = [];
  if (!(await reachable(databaseUrl, 5432)))
    missing.push(`PostgreSQL at ${hostPort(databaseUrl, 5432)}`);
  if (!(await reachable(natsUrl, 4222))) missing.push(`NATS at ${hostPort(natsUrl, 4222)}`);
  if (missing.length) {
    throw new Error(
      `Tests need PostgreSQL and NATS with JetStream, and found neither a container runtime nor ${missing.join(' nor ')}.\n` +
        'Start them, e.g.\n' +
        '  pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start\n' +
        '  nats-server -js -a 127.0.0.1 -p 4222 -sd /tmp/nats &\n' +
        'or point DATABASE_URL and NATS_URL at running servers.',
    );
  }
  return {
    infrastructure: { databaseUrl, natsUrl, source: 'local defaults' },
    stop: () => Promise.resolve(),
  };
}

async function tryTestcontainers(): Promise<
  { infrastructure: TestInfrastructure; stop: () => Promise<void> } | undefined
> {
  if (process.env.IHF_TEST_NO_CONTAINERS === '1') return undefined;
  try {
    const { getContainerRuntimeClient } = await import('testcontainers');
    await getContainerRuntimeClient();
  } catch {
    return undefined; // no runtime here: fall back to running servers
  }
  const { PostgreSqlContainer } = await import('@testcontainers/postgresql');
  const { NatsContainer } = await import('@testcontainers/nats');
  const [pg, nats] = await Promise.all([
    new PostgreSqlContainer('postgres:17-alpine').withDatabase('postgres').start(),
    new NatsContainer('nats:2.11-alpine').withJetStream().start(),
  ]);
  const natsOptions = nats.getConnectionOptions();
  return {
    infrastructure: {
      databaseUrl: pg.getConnectionUri(),
      natsUrl: `nats://${natsOptions.user}:${natsOptions.pass}@${String(natsOptions.servers).replace(/^nats:\/\//, '')}`,
      source: 'testcontainers',
    },
    stop: async () => {
      await Promise.all([pg.stop(), nats.stop()]);
    },
  };
}

function hostPort(url: string, defaultPort: number): string {
  const u = new URL(url);
  return `${u.hostname}:${u.port || defaultPort}`;
}

/** Whether a TCP connection to the URL's host and port succeeds within a second. */
export async function reachable(url: string, defaultPort: number): Promise<boolean> {
  const u = new URL(url.split(',')[0]);
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1_000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(Number(u.port || defaultPort), u.hostname.replace(/^\[|\]$/g, ''), () =>
      done(true),
    );
  });
}

/**
 * Jest global setup of the integration project (jest.config.cjs points here; Jest loads this
 * file without its module mapper, so it must not import other files of this lib): finds
 * Postgres and NATS once per run and hands them to the workers through
 * IHF_TEST_DATABASE_URL / IHF_TEST_NATS_URL.
 */
export default async function jestGlobalSetup(): Promise<void> {
  const { infrastructure, stop } = await resolveInfrastructure();
  process.env.IHF_TEST_DATABASE_URL = infrastructure.databaseUrl;
  process.env.IHF_TEST_NATS_URL = infrastructure.natsUrl;
  // JetStream reserves every stream's max_bytes on the server; with a namespace per test file
  // the production sizes (tens of GiB) would exhaust it. Tests keep streams small.
  process.env.IHF_STREAM_MAX_BYTES ??= String(64 * 1024 * 1024);
  (globalThis as { __ihfStopInfrastructure?: () => Promise<void> }).__ihfStopInfrastructure = stop;
  console.log(`\n[ihf tests] Postgres and NATS from ${infrastructure.source}`);
}
