/**
 * One benchmark run's surroundings: its own database and bus namespace (random suffix), its
 * log and results folder, the processes it starts (stopped by pid), and the clean-up at the
 * end, also on Ctrl-C (a second Ctrl-C leaves at once, without cleaning up).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, type WriteStream } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { freePort } from '@ihf/testing';
import {
  JetStreamApiCodes,
  JetStreamApiError,
  jetstreamManager,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { sleep } from './util.ts';

export const repoRoot = join(dirname(fileURLToPath(import.meta.url)), '..', '..');

export interface SessionOptions {
  /** The benchmark's name, in its log lines and its temporary folder. */
  readonly name: string;
  /** Where a full run writes its results and logs. */
  readonly resultsDir: string;
  /** Smoke runs write into a temporary folder, removed when the run passed. */
  readonly smoke: boolean;
  /** Keep the database and the streams at the end (for inspection). */
  readonly keep: boolean;
}

export { freePort };

export class BenchSession {
  readonly serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ihf';
  readonly natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
  readonly suffix = randomBytes(4).toString('hex');
  readonly dbName = `ihf_bench_${this.suffix}`;
  readonly namespace = `bench${this.suffix}`;
  readonly stamp = new Date().toISOString().replace(/[:.]/g, '-');
  readonly resultsDir: string;
  /** Pids of every process this run started. */
  readonly ourPids = new Set<number>();
  private readonly children = new Map<string, ChildProcess>();
  private readonly logFile: WriteStream;
  private adminClient?: pg.Client;
  private nc?: NatsConnection;
  private jsmCache?: JetStreamManager;
  private databaseCreated = false;
  private interruptedFlag = false;

  readonly options: SessionOptions;

  constructor(options: SessionOptions) {
    this.options = options;
    if (options.smoke) {
      this.resultsDir = mkdtempSync(join(tmpdir(), `ihf-bench-${options.name}-smoke-`));
    } else {
      this.resultsDir = options.resultsDir;
      mkdirSync(this.resultsDir, { recursive: true });
    }
    this.logFile = createWriteStream(join(this.resultsDir, `${this.stamp}.log`));
    process.on('SIGINT', () => this.onInterrupt());
  }

  /** Set by the first Ctrl-C: sessions ended by the clean-up are then no reason to crash. */
  get interrupted(): boolean {
    return this.interruptedFlag;
  }

  log(line: string): void {
    const text = `[${new Date().toISOString().slice(11, 19)}] ${line}`;
    console.log(text);
    this.logFile.write(`${text}\n`);
  }

  dbUrl(name = this.dbName): string {
    const url = new URL(this.serverUrl);
    url.pathname = `/${name}`;
    return url.toString();
  }

  /** A client on the server's `postgres` database (create/drop databases, settings). */
  async admin(): Promise<pg.Client> {
    if (!this.adminClient) {
      const client = new pg.Client({ connectionString: this.dbUrl('postgres') });
      await client.connect();
      this.adminClient = client;
    }
    return this.adminClient;
  }

  async nats(): Promise<NatsConnection> {
    this.nc ??= await connect({ servers: this.natsUrl.split(',') });
    return this.nc;
  }

  async jsm(): Promise<JetStreamManager> {
    this.jsmCache ??= await jetstreamManager(await this.nats());
    return this.jsmCache;
  }

  /** Creates this run's database (dropped by {@link close} unless `keep`). */
  async createDatabase(): Promise<void> {
    await (await this.admin()).query(`create database "${this.dbName}"`);
    this.databaseCreated = true;
  }

  /** Starts `node <args>` from the repository root and waits for its /health/ready. */
  async startProcess(
    name: string,
    args: string[],
    env: Record<string, string>,
    port: number,
  ): Promise<ChildProcess> {
    const child = spawn(process.execPath, args, {
      cwd: repoRoot,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.children.set(name, child);
    if (child.pid !== undefined) this.ourPids.add(child.pid);
    const out = createWriteStream(join(this.resultsDir, `${this.stamp}.${name}.log`));
    child.stdout?.pipe(out);
    child.stderr?.pipe(out);
    const deadline = Date.now() + 90_000;
    while (Date.now() < deadline) {
      if (child.exitCode !== null)
        throw new Error(
          `${name} exited with ${child.exitCode} (log: ${join(this.resultsDir, `${this.stamp}.${name}.log`)})`,
        );
      try {
        const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
        if (res.status === 200) {
          this.log(`${name} ready (pid ${child.pid}, port ${port})`);
          return child;
        }
      } catch {
        // not listening yet
      }
      await sleep(250);
    }
    throw new Error(`${name} did not become ready within 90 s`);
  }

  /** SIGTERM to one process we started (by its pid), SIGKILL after 15 s. */
  async stopProcess(name: string): Promise<void> {
    const child = this.children.get(name);
    if (!child || child.pid === undefined) return;
    this.children.delete(name);
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((r) => child.once('exit', r));
    process.kill(child.pid, 'SIGTERM');
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }, 15_000);
    await exited;
    clearTimeout(timer);
  }

  async stopProcesses(): Promise<void> {
    for (const name of [...this.children.keys()]) await this.stopProcess(name);
  }

  /** Deletes the streams of this run's namespace (or of `namespace`). */
  async dropStreams(namespace = this.namespace): Promise<void> {
    const jsm = await this.jsm();
    const prefix = `${namespace.toUpperCase()}_`;
    // Other people's tests create and delete streams all the time: listing every stream's info
    // can meet one deleted meanwhile (StreamNotFoundError, which left an interrupted run's
    // streams behind). Names only, and a stream already gone is fine.
    const ours: string[] = [];
    for await (const name of jsm.streams.names()) if (name.startsWith(prefix)) ours.push(name);
    for (const name of ours) {
      try {
        await jsm.streams.delete(name);
      } catch (error) {
        if (!(
          error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound
        ))
          throw error;
      }
    }
  }

  private async dropAll(): Promise<void> {
    if (this.databaseCreated)
      await (await this.admin()).query(`drop database if exists "${this.dbName}" with (force)`);
    await this.dropStreams();
  }

  /**
   * Stops what is still running, drops the database and the namespace's streams (unless
   * `keep`), and closes the connections. A smoke run's folder goes too when it `passed`.
   */
  async close(passed: boolean): Promise<void> {
    await this.stopProcesses();
    if (!this.options.keep) {
      await this.dropAll();
      this.log(`dropped ${this.dbName} and the ${this.namespace.toUpperCase()}_* streams`);
    } else this.log(`kept ${this.dbName} and namespace ${this.namespace}`);
    await this.adminClient?.end();
    await this.nc?.drain();
    await new Promise((r) => this.logFile.end(r));
    if (this.options.smoke) {
      if (passed) rmSync(this.resultsDir, { recursive: true, force: true });
      else console.log(`smoke run failed; its logs are in ${this.resultsDir}`);
    }
  }

  private onInterrupt(): void {
    if (this.interruptedFlag) process.exit(130);
    this.interruptedFlag = true;
    for (const [, child] of this.children)
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
    if (this.options.keep) process.exit(130);
    this.log(
      `interrupted: dropping ${this.dbName} and the ${this.namespace.toUpperCase()}_* streams (Ctrl-C again to leave them)`,
    );
    void this.dropAll()
      .catch((error: unknown) => this.log(`could not drop them: ${String(error)}`))
      .finally(() => process.exit(130));
  }
}
