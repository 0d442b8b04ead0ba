// The repository's `npm start` (scripts/start.mjs; Jest only collects tests under libs/ and
// services/, so it lives with the test infrastructure). Issue 11, "Running it": SIGTERM sent to
// the npm process used to orphan the services with their ports bound (npm's `sh -c` died and
// the runner never heard of it). Runs the real thing: npm, the runner, every service from its
// built dist/ (run `npm run build` first; `npm start` builds incrementally anyway), on this
// file's own database, bus namespace and free ports.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { Socket } from 'node:net';
import { join } from 'node:path';
import { createTestEnvironment, type TestEnvironment } from '../src/test-environment.js';
import { freePort } from '../src/free-port.js';
import { waitFor } from '../src/wait-for.js';

const ROOT = join(__dirname, '../../..');
// Every service `npm start` starts (scripts/services.mjs: each folder of services/ with a
// src/main.ts), each on a free port through its `<SERVICE>_PORT`.
const SERVICES = readdirSync(join(ROOT, 'services')).filter((name) =>
  existsSync(join(ROOT, 'services', name, 'src', 'main.ts')),
);
const portVariable = (service: string): string =>
  `${service.toUpperCase().replace(/-/g, '_')}_PORT`;

function listening(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = new Socket();
    const done = (ok: boolean) => {
      socket.destroy();
      resolve(ok);
    };
    socket.setTimeout(1000, () => done(false));
    socket.once('error', () => done(false));
    socket.connect(port, '127.0.0.1', () => done(true));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm start', () => {
  let env: TestEnvironment;
  let npm: ChildProcess | undefined;
  const servicePids = new Set<number>();

  beforeAll(async () => {
    env = await createTestEnvironment();
  });
  afterAll(async () => {
    // Whatever a failed run left behind.
    if (npm?.pid && alive(npm.pid)) npm.kill('SIGKILL');
    for (const pid of servicePids) if (alive(pid)) process.kill(pid, 'SIGKILL');
    await env?.teardown();
  });

  it('prints a readiness table, keeps stdout JSON when it is not a terminal, and SIGTERM to npm stops every service and frees its port', async () => {
    expect(SERVICES).toEqual(
      expect.arrayContaining(['identity', 'ingestion', 'feedback', 'governance']),
    );
    const ports = Object.fromEntries(
      await Promise.all(SERVICES.map(async (s) => [s, await freePort()] as const)),
    ) as Record<string, number>;
    let stdout = '';
    let stderr = '';
    npm = spawn('npm', ['start'], {
      cwd: ROOT,
      env: {
        ...process.env,
        DATABASE_URL: env.databaseUrl,
        NATS_URL: env.natsUrl,
        IHF_NATS_NAMESPACE: env.natsNamespace,
        IHF_STREAM_MAX_BYTES: String(64 * 1024 * 1024),
        LOG_LEVEL: 'info',
        ...Object.fromEntries(SERVICES.map((s) => [portVariable(s), String(ports[s])])),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    npm.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    npm.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const exited = new Promise<number | null>((resolve) => npm!.once('exit', resolve));

    await waitFor(() => stderr.includes('Ctrl-C stops every service'), {
      timeoutMs: 150_000,
      intervalMs: 250,
      message: `the readiness table (stderr so far: ${stderr.slice(-2000)})`,
    });
    for (const s of SERVICES) {
      expect(stderr).toMatch(
        new RegExp(`${s}\\s+http://127\\.0\\.0\\.1:${ports[s]}\\s.*ready \\(`),
      );
      const res = await fetch(`http://127.0.0.1:${ports[s]}/health/ready`);
      expect(res.status).toBe(200);
    }
    // Not a terminal: the services' lines reach stdout as JSON, each naming its service.
    const lines = stdout.split('\n').filter((l) => l.startsWith('{'));
    expect(lines.length).toBeGreaterThan(0);
    for (const line of lines) {
      const entry = JSON.parse(line) as { service?: string; pid?: number };
      if (entry.pid && entry.service && SERVICES.includes(entry.service))
        servicePids.add(entry.pid);
    }
    expect(servicePids.size).toBe(SERVICES.length);

    npm.kill('SIGTERM');
    await waitFor(
      async () => {
        for (const s of SERVICES) if (await listening(ports[s])) return undefined;
        return [...servicePids].every((pid) => !alive(pid)) || undefined;
      },
      { timeoutMs: 30_000, intervalMs: 250, message: 'every service stopped, every port free' },
    );
    await exited;
  }, 240_000);
});
