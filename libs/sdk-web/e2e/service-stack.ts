// Identity, ingestion and feedback as real child processes (`node services/<name>/dist/main.js`,
// as in production) on free ports of 127.0.0.1, for the live end-to-end run: one database and
// one bus namespace shared by the three (each service migrates its own schema on start), the
// identity child's JWKS for the other two, CORS open for the demo page. Stopped by PID: SIGTERM,
// then SIGKILL after a grace period; a child left behind when this process exits is killed too.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ihf/testing';

export const STACK_SERVICES = ['identity', 'ingestion', 'feedback'] as const;
export type StackService = (typeof STACK_SERVICES)[number];

export interface ServiceStackOptions {
  /** The repository root (services/<name>/dist/main.js under it). */
  readonly root: string;
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly natsNamespace: string;
  /** The first admin, created by identity at start. */
  readonly adminEmail: string;
  readonly adminPassword: string;
  /** `CORS_ALLOWED_ORIGINS` of every service (default `*`). */
  readonly corsOrigins?: string;
  /** Where each service's output goes (`<name>.log`); default: kept in memory only. */
  readonly logDir?: string;
  /** How long each service may take to become ready (default 90 s). */
  readonly readyTimeoutMs?: number;
  /** Extra variables for every service. */
  readonly env?: Readonly<Record<string, string>>;
}

export interface RunningService {
  readonly name: StackService;
  readonly url: string;
  readonly pid: number;
  /** The last lines the service printed (stdout and stderr). */
  tail(): string;
}

export interface ServiceStack {
  readonly services: Readonly<Record<StackService, RunningService>>;
  readonly identityUrl: string;
  readonly ingestionUrl: string;
  readonly feedbackUrl: string;
  /** SIGTERM every child, SIGKILL those still running after `graceMs` (default 10 s). */
  stop(graceMs?: number): Promise<void>;
}

/** The built entry point of a service, or an error saying how to build it. */
export function serviceEntry(root: string, name: StackService): string {
  const main = join(root, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) {
    throw new Error(
      `${main} is missing: run \`npm run build\` at the repository root first ` +
        `(. scripts/use-node24.sh && npm run build)`,
    );
  }
  return main;
}

interface Child {
  readonly name: StackService;
  readonly process: ChildProcess;
  readonly url: string;
  readonly lines: string[];
  exited?: string;
  readonly exitedPromise: Promise<void>;
}

const TAIL_LINES = 60;

function spawnService(
  options: ServiceStackOptions,
  name: StackService,
  port: number,
  env: NodeJS.ProcessEnv,
): Child {
  const main = serviceEntry(options.root, name);
  const child = spawn(process.execPath, [main], {
    cwd: options.root,
    env: { ...env, PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: string[] = [];
  const log = options.logDir ? createWriteStream(join(options.logDir, `${name}.log`)) : undefined;
  const onData = (chunk: Buffer) => {
    log?.write(chunk);
    for (const line of chunk.toString('utf8').split('\n')) {
      if (!line.trim()) continue;
      lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
      if (lines.length > TAIL_LINES) lines.shift();
    }
  };
  child.stdout?.on('data', onData);
  child.stderr?.on('data', onData);
  const entry: Child = {
    name,
    process: child,
    url: `http://127.0.0.1:${port}`,
    lines,
    exitedPromise: new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        entry.exited = signal ?? `code ${code}`;
        log?.end();
        resolve();
      });
      child.once('error', (error) => {
        entry.exited = `spawn error: ${error.message}`;
        log?.end();
        resolve();
      });
    }),
  };
  return entry;
}

async function waitReady(child: Child, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: string;
  for (;;) {
    if (child.exited) {
      throw new Error(
        `${child.name} exited (${child.exited}) before it was ready; its last output:\n` +
          child.lines.join('\n'),
      );
    }
    try {
      const response = await fetch(`${child.url}/health/ready`, {
        signal: AbortSignal.timeout(5_000),
      });
      if (response.ok) return;
      last = `${response.status} ${await response.text()}`;
    } catch (error) {
      last = error instanceof Error ? error.message : String(error);
    }
    if (Date.now() > deadline) {
      throw new Error(
        `${child.name} was not ready on ${child.url} after ${timeoutMs} ms (${last}); its last output:\n` +
          child.lines.join('\n'),
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

async function stopChildren(children: readonly Child[], graceMs: number): Promise<void> {
  await Promise.all(
    children.map(async (child) => {
      if (child.exited || child.process.pid === undefined) return;
      const pid = child.process.pid;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        return; // already gone
      }
      const timer = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), graceMs).unref(),
      );
      if ((await Promise.race([child.exitedPromise, timer])) === 'timeout' && !child.exited) {
        try {
          process.kill(pid, 'SIGKILL');
        } catch {
          // exited meanwhile
        }
        await child.exitedPromise;
      }
    }),
  );
}

/**
 * Starts identity, ingestion and feedback and waits until each answers `/health/ready`. On any
 * failure the children already started are stopped before the error is thrown.
 */
export async function startServiceStack(options: ServiceStackOptions): Promise<ServiceStack> {
  for (const name of STACK_SERVICES) serviceEntry(options.root, name); // fail fast when unbuilt
  if (options.logDir) mkdirSync(options.logDir, { recursive: true });
  const ports = {} as Record<StackService, number>;
  for (const name of STACK_SERVICES) ports[name] = await freePort();
  const keyDir = mkdtempSync(join(tmpdir(), 'ihf-sdk-e2e-keys-'));
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    NODE_ENV: 'development',
    HOST: '127.0.0.1',
    DATABASE_URL: options.databaseUrl,
    NATS_URL: options.natsUrl,
    IHF_NATS_NAMESPACE: options.natsNamespace,
    IHF_JWKS_URL: `http://127.0.0.1:${ports.identity}/.well-known/jwks.json`,
    IHF_ADMIN_EMAIL: options.adminEmail,
    IHF_ADMIN_PASSWORD: options.adminPassword,
    // Identity's development signing key, private to this run.
    IHF_JWT_DEV_KEY_DIR: keyDir,
    CORS_ALLOWED_ORIGINS: options.corsOrigins ?? '*',
    LOG_LEVEL: 'warn',
    // Readiness turns 503 this long before a stopping service closes; nobody routes to us.
    SHUTDOWN_GRACE_MS: '200',
    ...options.env,
  };
  const children = STACK_SERVICES.map((name) => spawnService(options, name, ports[name], env));
  const killLeftovers = () => {
    for (const child of children) {
      if (!child.exited && child.process.pid !== undefined) {
        try {
          process.kill(child.process.pid, 'SIGKILL');
        } catch {
          // gone
        }
      }
    }
  };
  process.once('exit', killLeftovers);
  const stop = async (graceMs = 10_000) => {
    await stopChildren(children, graceMs);
    process.removeListener('exit', killLeftovers);
    rmSync(keyDir, { recursive: true, force: true });
  };
  try {
    await Promise.all(children.map((child) => waitReady(child, options.readyTimeoutMs ?? 90_000)));
  } catch (error) {
    await stop(3_000);
    throw error;
  }
  const services = Object.fromEntries(
    children.map((child) => [
      child.name,
      {
        name: child.name,
        url: child.url,
        pid: child.process.pid!,
        tail: () => child.lines.join('\n'),
      },
    ]),
  ) as Record<StackService, RunningService>;
  return {
    services,
    identityUrl: services.identity.url,
    ingestionUrl: services.ingestion.url,
    feedbackUrl: services.feedback.url,
    stop,
  };
}
