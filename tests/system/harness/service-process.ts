// One IHF service as its own operating-system process, started from its built entry point
// (services/<name>/dist/main.js) exactly as in production. Its output is appended to
// <logDir>/<name>.log across restarts (each start marked), and kept in memory as a tail for
// error messages. It can be stopped gracefully, killed outright (SIGKILL, as an OOM kill or a
// lost node would) and started again on the same port, so that callers keep their URL.
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, type WriteStream } from 'node:fs';
import { join } from 'node:path';

const TAIL_LINES = 80;

export interface ServiceProcessOptions {
  /** The repository root (services/<name>/dist/main.js under it). */
  readonly root: string;
  readonly name: string;
  readonly port: number;
  /** The whole environment of the process (PORT is added). */
  readonly env: NodeJS.ProcessEnv;
  /** Where `<name>.log` goes. */
  readonly logDir: string;
}

/** The built entry point of a service, or an error saying how to build it. */
export function serviceEntry(root: string, name: string): string {
  const main = join(root, 'services', name, 'dist', 'main.js');
  if (!existsSync(main)) {
    throw new Error(
      `${main} is missing: run \`. scripts/use-node24.sh && npm run build\` at the repository root first`,
    );
  }
  return main;
}

export class ServiceProcess {
  readonly name: string;
  readonly port: number;
  readonly url: string;
  /** How many times the process was started (1 after the first start). */
  starts = 0;
  private readonly options: ServiceProcessOptions;
  private child: ChildProcess | undefined;
  private exited: Promise<string> | undefined;
  private exitReason: string | undefined;
  private readonly lines: string[] = [];
  private log: WriteStream | undefined;

  constructor(options: ServiceProcessOptions) {
    this.options = options;
    this.name = options.name;
    this.port = options.port;
    this.url = `http://127.0.0.1:${options.port}`;
  }

  /** The PID of the running process (undefined when it is not running). */
  get pid(): number | undefined {
    return this.running ? this.child?.pid : undefined;
  }

  get running(): boolean {
    return this.child !== undefined && this.exitReason === undefined;
  }

  /** The last lines the service printed (stdout and stderr), for error messages. */
  tail(): string {
    return this.lines.join('\n');
  }

  /** Spawns the process (it must not be running). Resolves once it is spawned, not ready. */
  start(): void {
    if (this.running) throw new Error(`${this.name} is already running (pid ${this.pid})`);
    const main = serviceEntry(this.options.root, this.name);
    mkdirSync(this.options.logDir, { recursive: true });
    this.log ??= createWriteStream(join(this.options.logDir, `${this.name}.log`), { flags: 'a' });
    this.starts++;
    this.log.write(`--- start #${this.starts} at ${new Date().toISOString()} ---\n`);
    this.exitReason = undefined;
    const child = spawn(process.execPath, [main], {
      cwd: this.options.root,
      env: { ...this.options.env, PORT: String(this.port) },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.child = child;
    const onData = (chunk: Buffer) => {
      this.log?.write(chunk);
      for (const line of chunk.toString('utf8').split('\n')) {
        if (!line.trim()) continue;
        this.lines.push(line.length > 2000 ? `${line.slice(0, 2000)}…` : line);
        if (this.lines.length > TAIL_LINES) this.lines.shift();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    this.exited = new Promise<string>((resolve) => {
      child.once('exit', (code, signal) => {
        this.exitReason = signal ?? `code ${code}`;
        this.log?.write(`--- exited (${this.exitReason}) ---\n`);
        resolve(this.exitReason);
      });
      child.once('error', (error) => {
        this.exitReason = `spawn error: ${error.message}`;
        resolve(this.exitReason);
      });
    });
  }

  /** Polls `/health/ready` until it answers 200; fails early when the process exits. */
  async waitReady(timeoutMs = 90_000): Promise<number> {
    const started = Date.now();
    let last: string;
    for (;;) {
      if (this.exitReason !== undefined) {
        throw new Error(
          `${this.name} exited (${this.exitReason}) before it was ready; its last output:\n${this.tail()}`,
        );
      }
      try {
        const response = await fetch(`${this.url}/health/ready`, {
          signal: AbortSignal.timeout(5_000),
        });
        if (response.ok) return Date.now() - started;
        last = `${response.status} ${await response.text()}`;
      } catch (error) {
        last = error instanceof Error ? error.message : String(error);
      }
      if (Date.now() - started > timeoutMs) {
        throw new Error(
          `${this.name} was not ready on ${this.url} after ${timeoutMs} ms (${last}); its last output:\n${this.tail()}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }

  /** SIGKILL: no drain, no shutdown hooks, in-flight work is cut off. Resolves once it is gone. */
  async kill9(): Promise<void> {
    if (!this.running || this.child?.pid === undefined) return;
    process.kill(this.child.pid, 'SIGKILL');
    await this.exited;
  }

  /** SIGTERM (the service drains), SIGKILL after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (this.running && this.child?.pid !== undefined) {
      const pid = this.child.pid;
      try {
        process.kill(pid, 'SIGTERM');
      } catch {
        // gone meanwhile
      }
      const timeout = new Promise<'timeout'>((resolve) =>
        setTimeout(() => resolve('timeout'), graceMs).unref(),
      );
      if ((await Promise.race([this.exited, timeout])) === 'timeout' && this.running) {
        await this.kill9();
      }
    }
    await new Promise<void>((resolve) => (this.log ? this.log.end(resolve) : resolve()));
    this.log = undefined;
  }

  /** Kill -9 and start again on the same port; resolves once it is ready again (ms). */
  async killAndRestart(readyTimeoutMs = 90_000): Promise<number> {
    await this.kill9();
    this.start();
    return this.waitReady(readyTimeoutMs);
  }

  /** Synchronous last resort on process exit: no process is left behind. */
  killNow(): void {
    if (this.running && this.child?.pid !== undefined) {
      try {
        process.kill(this.child.pid, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }
}
