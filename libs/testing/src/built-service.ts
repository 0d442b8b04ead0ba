import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { basename, dirname } from 'node:path';
import { freePort } from './free-port.js';
import { waitFor } from './wait-for.js';

/** Another service, started from its built entry point for a test that crosses services. */
export interface BuiltService {
  /** Its base URL, as it logged it (`<name> listening on http://…`). */
  readonly url: string;
  /** Everything it wrote to stdout and stderr so far. */
  log(): string;
  /** Kills it (SIGKILL) and waits for the exit. */
  stop(): Promise<void>;
}

/**
 * Starts a service as its own process from `main` (its `dist/main.js`: the test must not import
 * another service's code) on a free loopback port, with `env` (its database, bus namespace,
 * JWKS URL…) and, under `IHF_TEST_BUS_AUTH=1`, the service's own generated bus credentials;
 * resolves once it logs that it listens.
 */
export async function startBuiltService(options: {
  readonly main: string;
  readonly env: Readonly<Record<string, string>>;
  readonly readyTimeoutMs?: number;
}): Promise<BuiltService> {
  const { main } = options;
  if (!existsSync(main)) throw new Error(`${main} is missing: run npm run build first`);
  // services/<name>/dist/main.js
  const name = basename(dirname(dirname(main)));
  const child = spawn(process.execPath, [main], {
    env: {
      PATH: process.env.PATH ?? '',
      LOG_LEVEL: 'info',
      HOST: '127.0.0.1',
      PORT: String(await freePort()),
      ...(process.env.IHF_BUS_CREDENTIALS_DIR
        ? { IHF_BUS_CREDENTIALS_DIR: process.env.IHF_BUS_CREDENTIALS_DIR }
        : {}),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  child.stdout.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  const stop = async () => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGKILL');
    await exited;
  };
  const listening = new RegExp(`${name} listening on (http://\\S+?)"`);
  // An exit before it listens fails at once, with what it said.
  const exitedEarly = new Promise<never>((_, reject) =>
    child.once('exit', (code, signal) =>
      reject(new Error(`${name} exited (${code ?? signal}) before listening`)),
    ),
  );
  exitedEarly.catch(() => undefined);
  try {
    const url = await Promise.race([
      waitFor(() => Promise.resolve(listening.exec(log)?.[1]), {
        timeoutMs: options.readyTimeoutMs ?? 60_000,
        message: `${name} listening`,
      }),
      exitedEarly,
    ]);
    return { url, log: () => log, stop };
  } catch (error) {
    await stop();
    throw new Error(`${(error as Error).message} (its output: ${log.slice(-2000)})`, {
      cause: error,
    });
  }
}
