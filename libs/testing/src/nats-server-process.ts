import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from './free-port.js';
import { NATS_SERVER_BIN } from './nats-cluster.js';

/** A nats-server this test started: its own port, config and store, gone after `stop()`. */
export interface NatsServerProcess {
  /** `nats://127.0.0.1:<port>` (or `tls://…` when the config turns TLS on). */
  readonly url: string;
  readonly port: number;
  /** Its temporary directory (config, JetStream store); removed by `stop()`. */
  readonly dir: string;
  /** Kills the server by its PID and removes its directory. */
  stop(): Promise<void>;
}

/**
 * Starts a private nats-server with JetStream on a free loopback port, with `config` (nats-server
 * syntax: an `authorization` block, a `tls` block…) added to its configuration, and resolves
 * once it accepts connections. For tests that need a server of their own (permissions, TLS)
 * rather than the shared one.
 */
export async function startNatsServer(
  options: { config?: string; scheme?: 'nats' | 'tls'; readyTimeoutMs?: number } = {},
): Promise<NatsServerProcess> {
  const dir = mkdtempSync(join(tmpdir(), 'ihf-nats-'));
  const port = await freePort();
  const configFile = join(dir, 'nats-server.conf');
  // JetStream reserves each stream's max_bytes against max_file_store when it creates the
  // stream (nothing is written): a generous limit lets processes without IHF_STREAM_MAX_BYTES
  // (a service a test spawns) create full-size streams.
  writeFileSync(
    configFile,
    [
      `listen: 127.0.0.1:${port}`,
      `jetstream { store_dir: ${JSON.stringify(join(dir, 'jetstream'))}, max_memory_store: 64MB, max_file_store: 64GB }`,
      options.config ?? '',
      '',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(NATS_SERVER_BIN, ['-c', configFile], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let log = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`nats-server did not start in time:\n${log}`)),
        options.readyTimeoutMs ?? 15_000,
      );
      child.once('error', (error) => {
        clearTimeout(timer);
        reject(error);
      });
      child.once('exit', (code) => {
        clearTimeout(timer);
        reject(new Error(`nats-server exited with ${code}:\n${log}`));
      });
      child.stderr?.on('data', (chunk: Buffer) => {
        log += chunk.toString();
        if (log.includes('Server is ready')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
  } catch (error) {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  // Never outlive the test process, even when its afterAll does not run (a timeout, a crash).
  const killOnExit = () => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  };
  process.once('exit', killOnExit);
  return {
    url: `${options.scheme ?? 'nats'}://127.0.0.1:${port}`,
    port,
    dir,
    async stop() {
      process.removeListener('exit', killOnExit);
      if (child.pid !== undefined && child.exitCode === null) {
        process.kill(child.pid, 'SIGTERM');
        const killed = setTimeout(() => {
          if (child.exitCode === null && child.pid !== undefined)
            process.kill(child.pid, 'SIGKILL');
        }, 5_000);
        await exited;
        clearTimeout(killed);
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
