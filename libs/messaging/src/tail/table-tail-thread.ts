import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { type Logger, silentLogger } from '../logger.js';
import {
  type TableTailDefinition,
  type TailSql,
  tailOldestPendingAgeSeconds,
  tailSetAsideRows,
} from './table-tail-relay.js';

/** What a worker thread needs to run a `TableTailRelay` (structured-clone data only). */
export interface TableTailThreadData {
  readonly definition: { readonly module: string; readonly exportName: string };
  readonly service: string;
  readonly schema: string;
  readonly databaseUrl: string;
  readonly natsUrl: string;
  readonly namespace: string;
  readonly leaseMs?: number;
  readonly pollIntervalMs?: number;
  readonly coalesceMs?: number;
}

/** Messages of the thread to its host. */
export type TableTailThreadMessage =
  | { readonly type: 'started' }
  | { readonly type: 'leader'; readonly leading: boolean }
  | { readonly type: 'published'; readonly count: number }
  | { readonly type: 'set_aside'; readonly count: number }
  | {
      readonly type: 'log';
      readonly level: keyof Logger;
      readonly obj: object;
      readonly msg?: string;
    }
  | { readonly type: 'stopped' };

export interface TableTailThreadOptions extends Omit<TableTailThreadData, 'definition'> {
  readonly definition: TableTailDefinition;
  /** The host's pool, for the gauges (any replica or thread can answer them). */
  readonly sql: TailSql;
  readonly logger?: Logger;
  readonly onPublished?: (count: number) => void;
  readonly onSetAside?: (count: number) => void;
  /** First restart delay after the thread died (doubles up to 30 s; default 500 ms). */
  readonly restartDelayMs?: number;
}

/** How long a stopping thread may take to hand back its lease before it is terminated. */
const STOP_TIMEOUT_MS = 10_000;
const MAX_RESTART_DELAY_MS = 30_000;
/** A thread that ran this long without dying starts the back-off from the beginning again. */
const HEALTHY_AFTER_MS = 60_000;

/**
 * The built entry of the thread. Under Jest (sources run through a transform) the `.js` next
 * to this file does not exist; a thread cannot run the sources, so it runs the built library
 * (`npm run build` first, as CI does).
 */
function threadEntry(): string {
  const beside = join(__dirname, 'table-tail-worker.js');
  return existsSync(beside) ? beside : join(__dirname, '../../dist/tail/table-tail-worker.js');
}

/**
 * Runs a table's `TableTailRelay` in a worker thread of this process instead of on its event
 * loop: reading a batch of rows, building and serialising up to a thousand messages and
 * publishing them is synchronous work of tens of milliseconds under load, which every request
 * waiting on the same loop would otherwise feel as latency. The thread has its own Postgres
 * pool and NATS connection (credentials from the same environment, `natsSecurityOptions`), and
 * the same leadership lease; it reports leadership, published and set-aside counts and its log
 * lines back here. A thread that dies is restarted with back-off; its lease lapses meanwhile,
 * so another replica may take over, and nothing is lost either way (the cursor only moves after
 * JetStream acknowledged a batch).
 */
export class TableTailThread {
  private readonly logger: Logger;
  private worker?: Worker;
  private leading = false;
  private stopping = false;
  private restartTimer?: NodeJS.Timeout;
  private restartDelay: number;
  private startedAt = 0;

  constructor(private readonly options: TableTailThreadOptions) {
    this.logger = options.logger ?? silentLogger;
    this.restartDelay = options.restartDelayMs ?? 500;
    if (!options.definition.thread)
      throw new Error(`table tail '${options.definition.name}' names no module for a thread`);
  }

  get table(): string {
    return this.options.definition.table;
  }

  /** Whether the thread currently holds the table's leadership (as it last reported). */
  get isLeader(): boolean {
    return this.leading;
  }

  /** Relays now, as a notification would (a writer in this process has just committed). */
  wake(): void {
    this.worker?.postMessage({ type: 'wake' });
  }

  /** The thread's id while it runs (tests). */
  get threadId(): number | undefined {
    return this.worker?.threadId;
  }

  /** Starts the thread; resolves once it is connected and relaying (or standing by). */
  async start(): Promise<void> {
    this.stopping = false;
    await this.spawn();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    clearTimeout(this.restartTimer);
    const worker = this.worker;
    if (!worker) return;
    const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
    worker.postMessage({ type: 'stop' });
    const timer = setTimeout(() => void worker.terminate(), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(timer);
    this.worker = undefined;
    this.leading = false;
  }

  oldestPendingAgeSeconds(): Promise<number> {
    return tailOldestPendingAgeSeconds(
      this.options.sql,
      this.options.schema,
      this.options.definition,
    );
  }

  setAsideRows(): Promise<number> {
    return tailSetAsideRows(this.options.sql, this.options.schema, this.options.definition.name);
  }

  private spawn(): Promise<void> {
    const o = this.options;
    const data: TableTailThreadData = {
      definition: o.definition.thread!,
      service: o.service,
      schema: o.schema,
      databaseUrl: o.databaseUrl,
      natsUrl: o.natsUrl,
      namespace: o.namespace,
      leaseMs: o.leaseMs,
      pollIntervalMs: o.pollIntervalMs,
      coalesceMs: o.coalesceMs,
    };
    const table = o.definition.table;
    const worker = new Worker(threadEntry(), { workerData: data, name: `tail:${table}` });
    this.worker = worker;
    return new Promise<void>((resolve, reject) => {
      let started = false;
      worker.on('message', (message: TableTailThreadMessage) => {
        switch (message.type) {
          case 'started':
            started = true;
            this.startedAt = Date.now();
            resolve();
            break;
          case 'leader':
            this.leading = message.leading;
            break;
          case 'published':
            o.onPublished?.(message.count);
            break;
          case 'set_aside':
            o.onSetAside?.(message.count);
            break;
          case 'log':
            this.logger[message.level]({ ...message.obj, thread: 'tail' }, message.msg);
            break;
          default:
            break;
        }
      });
      worker.on('error', (error: Error) => {
        this.logger.error({ err: error, table }, 'table tail thread failed');
      });
      worker.on('exit', (code) => {
        this.leading = false;
        if (this.worker === worker) this.worker = undefined;
        if (!started) {
          reject(new Error(`table tail thread (${table}) exited with ${code} while starting`));
          return;
        }
        if (this.stopping) return;
        // Not asked to stop: a crash. Restart with back-off; the lease lapses meanwhile.
        if (Date.now() - this.startedAt > HEALTHY_AFTER_MS)
          this.restartDelay = o.restartDelayMs ?? 500;
        this.logger.error({ table, code }, 'table tail thread exited; restarting it');
        this.scheduleRestart();
      });
    });
  }

  private scheduleRestart(): void {
    const delay = this.restartDelay;
    this.restartDelay = Math.min(this.restartDelay * 2, MAX_RESTART_DELAY_MS);
    this.restartTimer = setTimeout(() => {
      if (this.stopping) return;
      this.spawn().catch((error: unknown) => {
        this.logger.error({ err: error, table: this.table }, 'table tail thread restart failed');
        if (!this.stopping) this.scheduleRestart();
      });
    }, delay);
  }
}
