// The harness itself, on identity alone (the quickest service to start): a kill -9 leaves no
// process and the restart comes back on the same port with a new PID and a marked log; a
// service that cannot start fails the platform's start at once, with its own words, and leaves
// nothing running.
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { Platform } from './harness/platform.ts';

const ROOT = join(__dirname, '../..');
const LOGS = join(ROOT, '.artifacts/system/harness/logs');

let env: TestEnvironment | undefined;
const ADMIN_PASSWORD = `Harness-${randomBytes(12).toString('base64url')}`;

beforeAll(async () => {
  env = await createTestEnvironment();
});

afterAll(async () => {
  await env?.teardown();
});

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const options = () => ({
  root: ROOT,
  services: ['identity'],
  databaseUrl: env!.databaseUrl,
  natsUrl: env!.natsUrl,
  natsNamespace: env!.natsNamespace,
  adminEmail: 'admin@harness.test',
  adminPassword: ADMIN_PASSWORD,
  logDir: LOGS,
});

describe('the system-test harness', () => {
  it('kills a service with SIGKILL and starts it again on the same port', async () => {
    const platform = await Platform.start(options());
    try {
      const identity = platform.service('identity');
      const before = identity.pid!;
      expect(alive(before)).toBe(true);
      const jwks: unknown = await (await fetch(`${identity.url}/.well-known/jwks.json`)).json();
      await identity.kill9();
      expect(identity.running).toBe(false);
      expect(alive(before)).toBe(false);
      await expect(fetch(`${identity.url}/health/ready`)).rejects.toThrow();

      await identity.killAndRestart();
      expect(identity.pid).not.toBe(before);
      expect(identity.starts).toBe(2);
      expect((await fetch(`${identity.url}/health/ready`)).status).toBe(200);
      // The same signing key after the restart (tokens issued before stay valid), and the data.
      expect(await (await fetch(`${identity.url}/.well-known/jwks.json`)).json()).toEqual(jwks);
      const login = await fetch(`${identity.url}/api/v1/auth/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: 'admin@harness.test', password: ADMIN_PASSWORD }),
      });
      expect(login.status).toBe(200);
    } finally {
      const pids = platform.pids();
      await platform.stop();
      expect(pids.filter(alive)).toEqual([]);
    }
    const log = readFileSync(join(LOGS, 'identity.log'), 'utf8');
    expect(log).toMatch(/--- start #1 at /);
    expect(log).toMatch(/--- exited \(SIGKILL\) ---/);
    expect(log).toMatch(/--- start #2 at /);
  }, 180_000);

  it('fails at once with the output of a service that cannot start, and leaves nothing running', async () => {
    const started = Date.now();
    await expect(
      Platform.start({ ...options(), env: { LOG_LEVEL: 'not-a-level' }, readyTimeoutMs: 90_000 }),
    ).rejects.toThrow(/identity exited \(code \d+\) before it was ready[\s\S]*LOG_LEVEL/);
    // Well before the readiness time-out: the exit is noticed, not waited out.
    expect(Date.now() - started).toBeLessThan(60_000);
  }, 120_000);
});
