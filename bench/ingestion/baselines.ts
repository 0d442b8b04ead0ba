/**
 * B0–B2: the limits of this machine's Postgres and NATS for the same events, without the
 * service. B0 and B1 write into copies of `ingestion.interaction_events` (same columns,
 * defaults, identity, indexes and foreign keys; not its append-only and NOTIFY triggers).
 * B3 and B4: servers of their own, ramped as the service is ({@link runBaselines}).
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg, { type Client, type Connection } from 'pg';
import { type NatsConnection } from '@nats-io/nats-core';
import { jetstream, jetstreamManager, StorageType } from '@nats-io/jetstream';
import { measured } from '../lib/measure.ts';
import { cpuDelta, cpuSnapshot } from '../lib/proc.ts';
import { freePort, repoRoot } from '../lib/session.ts';
import { round } from '../lib/util.ts';
import { Corpus, type BenchHub } from './corpus.ts';
import { closedLoop, Ledger, openPool, ramp, SHAPES, type Target } from './load.ts';
import { type PhaseContext } from './phases.ts';
import { type Baselines, type PgBaseline, type ServerBaseline } from './report.ts';

export const COLUMNS =
  'id, hub_id, widget_id, widget_version, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at';

/** Creates `bench.<name>` as a copy of the events table, with its foreign keys. */
export async function copyTable(db: Client, name: string): Promise<string> {
  const table = `bench.${name}`;
  await db.query('create schema if not exists bench');
  await db.query(`drop table if exists ${table}`);
  await db.query(`create table ${table} (like ingestion.interaction_events including all)`);
  await db.query(`alter table ${table}
    add foreign key (hub_id) references ingestion.hubs (id) on delete restrict,
    add foreign key (widget_id) references ingestion.widgets (id) on delete cascade`);
  return table;
}

// ---------------------------------------------------------------- B0: binary COPY

const PG_EPOCH_MS = Date.UTC(2000, 0, 1);
const HEADER = Buffer.concat([
  Buffer.from('PGCOPY\n\xff\r\n\0', 'latin1'),
  Buffer.alloc(8), // flags, header extension length
]);

class CopyWriter {
  private readonly parts: Buffer[] = [];
  private size = 0;

  field(value: Buffer | null): void {
    const len = Buffer.alloc(4);
    len.writeInt32BE(value === null ? -1 : value.length);
    this.push(len);
    if (value !== null) this.push(value);
  }

  push(b: Buffer): void {
    this.parts.push(b);
    this.size += b.length;
  }

  take(): Buffer {
    const out = Buffer.concat(this.parts, this.size);
    this.parts.length = 0;
    this.size = 0;
    return out;
  }
}

const uuid = (v: unknown) =>
  typeof v === 'string' ? Buffer.from(v.replace(/-/g, ''), 'hex') : null;
const text = (v: unknown) => (typeof v === 'string' ? Buffer.from(v, 'utf8') : null);

/** The binary COPY rows of `events` (widget version 1), in chunks of about 64 KiB. */
export function binaryCopyChunks(events: readonly Record<string, unknown>[]): Buffer[] {
  const w = new CopyWriter();
  const chunks: Buffer[] = [];
  w.push(HEADER);
  const count = Buffer.alloc(2);
  count.writeInt16BE(10);
  const version = Buffer.alloc(4);
  version.writeInt32BE(1);
  let bytes = 0;
  for (const e of events) {
    w.push(count);
    w.field(uuid(e.id));
    w.field(uuid(e.hub_id));
    w.field(uuid(e.widget_id));
    w.field(version);
    w.field(text(e.event_type));
    w.field(uuid(e.actor_id));
    w.field(text(e.actor_type));
    w.field(text(e.view_context_ref));
    w.field(Buffer.concat([Buffer.from([1]), Buffer.from(JSON.stringify(e.metadata), 'utf8')]));
    const ts = Buffer.alloc(8);
    ts.writeBigInt64BE(BigInt(Date.parse(e.occurred_at as string) - PG_EPOCH_MS) * 1000n);
    w.field(ts);
    bytes += 300;
    if (bytes > 65536) {
      chunks.push(w.take());
      bytes = 0;
    }
  }
  const trailer = Buffer.alloc(2);
  trailer.writeInt16BE(-1);
  w.push(trailer);
  chunks.push(w.take());
  return chunks;
}

/**
 * `COPY … FROM STDIN` through pg's client as a custom submittable (pg-copy-streams is not
 * installed): sends the chunks once the server asks for data.
 */
class CopyIn {
  readonly done: Promise<number>;
  private resolve!: (rows: number) => void;
  private reject!: (error: unknown) => void;
  private rows = 0;
  private failed = false;
  private readonly sql: string;
  private readonly chunks: readonly Buffer[];

  constructor(sql: string, chunks: readonly Buffer[]) {
    this.sql = sql;
    this.chunks = chunks;
    this.done = new Promise<number>((resolve, reject) => {
      this.resolve = resolve;
      this.reject = reject;
    });
  }

  submit(connection: Connection): void {
    (connection as unknown as { query(text: string): void }).query(this.sql);
  }

  handleCopyInResponse(connection: Connection): void {
    const c = connection as unknown as {
      sendCopyFromChunk(b: Buffer): void;
      endCopyFrom(): void;
    };
    for (const chunk of this.chunks) c.sendCopyFromChunk(chunk);
    c.endCopyFrom();
  }

  handleCommandComplete(msg: { text?: string }): void {
    this.rows = Number(/(\d+)$/.exec(msg.text ?? '')?.[1] ?? 0);
  }

  handleReadyForQuery(): void {
    if (!this.failed) this.resolve(this.rows);
  }

  handleError(error: unknown): void {
    this.failed = true;
    this.reject(error);
  }
}

/** The binary COPY data of `events`, `perCopy` rows per COPY statement (encoded before timing). */
export function encodeCopies(
  events: readonly Record<string, unknown>[],
  perCopy: number,
): Buffer[][] {
  const groups: Buffer[][] = [];
  for (let i = 0; i < events.length; i += perCopy)
    groups.push(binaryCopyChunks(events.slice(i, i + perCopy)));
  return groups;
}

/**
 * B0: binary COPY of the encoded groups into `table`, one COPY statement per group, the groups
 * shared among `clients` (one COPY at a time on each).
 */
export async function copyInto(
  clients: readonly Client[],
  table: string,
  groups: readonly Buffer[][],
): Promise<number> {
  let rows = 0;
  let next = 0;
  const worker = async (db: Client) => {
    while (next < groups.length) {
      const chunks = groups[next++];
      const copy = new CopyIn(`copy ${table} (${COLUMNS}) from stdin with (format binary)`, chunks);
      db.query(copy);
      const copied = await copy.done; // (not `rows += await …`: that reads rows first)
      rows += copied;
    }
  };
  await Promise.all(clients.map(worker));
  return rows;
}

// ---------------------------------------------------------------- B1: unnest insert

/** B1: prepared `INSERT … SELECT FROM unnest(…) ON CONFLICT (id) DO NOTHING`, `batch` rows each. */
export async function unnestInsert(
  clients: readonly Client[],
  table: string,
  events: readonly Record<string, unknown>[],
  batch: number,
): Promise<number> {
  const sql = `insert into ${table} (${COLUMNS})
    select * from unnest($1::uuid[], $2::uuid[], $3::uuid[], $4::int[], $5::text[], $6::uuid[],
      $7::text[], $8::text[], $9::jsonb[], $10::timestamptz[])
    on conflict (id) do nothing`;
  let next = 0;
  let rows = 0;
  const worker = async (db: Client) => {
    while (next < events.length) {
      const slice = events.slice(next, next + batch);
      next += batch;
      const col = (k: string) => slice.map((e) => (e[k] ?? null) as string | null);
      const res = await db.query({
        name: `b1_insert_${table}`,
        text: sql,
        values: [
          col('id'),
          col('hub_id'),
          col('widget_id'),
          slice.map(() => 1),
          col('event_type'),
          col('actor_id'),
          col('actor_type'),
          col('view_context_ref'),
          slice.map((e) => JSON.stringify(e.metadata)),
          col('occurred_at'),
        ],
      });
      rows += res.rowCount ?? 0;
    }
  };
  await Promise.all(clients.map(worker));
  return rows;
}

// ---------------------------------------------------------------- B2: JetStream publish

/** The message the relay would publish for `e` (same shape and about the same size). */
function envelopeOf(e: Record<string, unknown>): Uint8Array {
  const now = new Date().toISOString();
  return new TextEncoder().encode(
    JSON.stringify({
      event_id: e.id,
      type: 'ihf.ingestion.interaction.recorded.v1',
      version: 1,
      occurred_at: e.occurred_at,
      producer: 'ingestion',
      correlation_id: e.id,
      causation_id: null,
      hub_id: e.hub_id,
      aggregate_id: e.widget_id,
      aggregate_version: 1,
      payload: { event_id: e.id, ...e, widget_version: 1, received_at: now },
    }),
  );
}

export interface B2Result {
  readonly messages: number;
  readonly seconds: number;
  readonly perSec: number;
  readonly meanBytes: number;
}

/**
 * B2: publishes to a stream of its own (file storage, 10 min duplicate window, as IHF_EVENTS)
 * with `Nats-Msg-Id`, awaiting each acknowledgement before the next (`window` 1) or keeping
 * `window` publications in flight.
 */
export async function jetstreamPublish(
  nc: NatsConnection,
  namespace: string,
  events: readonly Record<string, unknown>[],
  window: number,
  seconds: number,
): Promise<B2Result> {
  const jsm = await jetstreamManager(nc);
  const stream = `${namespace.toUpperCase()}_B2_${window}`;
  const subject = `${namespace}.b2.${window}`;
  await jsm.streams.add({
    name: stream,
    subjects: [subject],
    storage: StorageType.File,
    duplicate_window: 10 * 60 * 1_000_000_000,
    max_bytes: 1024 ** 3,
  });
  const js = jetstream(nc);
  const payloads = events.map(envelopeOf);
  const meanBytes = payloads.reduce((s, p) => s + p.length, 0) / payloads.length;
  let sent = 0;
  const start = performance.now();
  const end = start + seconds * 1000;
  const worker = async () => {
    while (performance.now() < end && sent < payloads.length) {
      const i = sent++;
      await js.publish(subject, payloads[i], { msgID: String(events[i].id) });
    }
  };
  await Promise.all(Array.from({ length: window }, worker));
  const elapsed = (performance.now() - start) / 1000;
  const info = await jsm.streams.info(stream);
  return {
    messages: info.state.messages,
    seconds: Math.round(elapsed * 100) / 100,
    perSec: Math.round(info.state.messages / elapsed),
    meanBytes: Math.round(meanBytes),
  };
}

// ---------------------------------------------------------------- the baselines of one run

/**
 * Runs B0–B4 in the run's database (same Postgres, same durability, same corpus generator and
 * seed as the service's phases). `serviceEnv` starts B3 as the service is started.
 */
export async function runBaselines(
  ctx: PhaseContext,
  hubs: readonly BenchHub[],
  now: number,
  serviceEnv: Record<string, string>,
): Promise<{ baselines: Baselines; meanEventBytes: number }> {
  const { session, settings, mon, servicePid, target } = ctx;
  const log = (line: string) => session.log(line);
  const baselines: Baselines = {};
  const baseCorpus = new Corpus({ seed: settings.seed, hubs, now });
  const events = baseCorpus.validEvents(settings.baselineRows);
  const postgresOnly = async (label: string, work: () => Promise<number>): Promise<PgBaseline> => {
    const r = await measured(
      mon,
      servicePid,
      undefined,
      async () => {
        const t = performance.now();
        const rows = await work();
        return { rows, seconds: (performance.now() - t) / 1000 };
      },
      (x) => x.rows,
    );
    const out = {
      rows: r.result.rows,
      seconds: round(r.result.seconds),
      rowsPerSec: Math.round(r.result.rows / r.result.seconds),
      cpuMsPer1kRows: {
        postgres: r.measures.cpuMsPer1kEvents.postgres,
        bench: r.measures.cpuMsPer1kEvents.bench,
      },
      walBytesPerRow: r.measures.walBytesPerEvent,
    };
    log(`${label}: ${JSON.stringify(out)}`);
    return out;
  };
  // Two connections each, as the service's group commit (two flushes at a time).
  const clients = [
    new pg.Client({ connectionString: session.dbUrl() }),
    new pg.Client({ connectionString: session.dbUrl() }),
  ];
  for (const c of clients) await c.connect();
  const perCopy = settings.copyRowsPerStatement;
  log(`--- B0: binary COPY, ${perCopy.toLocaleString('en')} rows per COPY, 2 connections`);
  const b0Table = await copyTable(ctx.db, 'events_b0');
  const groups = encodeCopies(events, perCopy);
  baselines.B0 = await postgresOnly('B0', () => copyInto(clients, b0Table, groups));
  log('--- B1: prepared unnest INSERT … ON CONFLICT, 500 rows, 2 connections');
  const b1Table = await copyTable(ctx.db, 'events_b1');
  baselines.B1 = await postgresOnly('B1', () => unnestInsert(clients, b1Table, events, 500));
  for (const c of clients) await c.end();

  log('--- B2: JetStream publish');
  const nc = await session.nats();
  for (const window of [1, 1000]) {
    const c0 = cpuSnapshot(servicePid);
    const r = await jetstreamPublish(nc, session.namespace, events, window, settings.b2Seconds);
    const d = cpuDelta(c0, cpuSnapshot(servicePid), []);
    const out = {
      ...r,
      cpuMsPer1kMessages: {
        nats: round(d.nats / (r.messages / 1000), 1),
        bench: round(d.bench / (r.messages / 1000), 1),
      },
    };
    if (window === 1) baselines.B2_window1 = out;
    else baselines.B2_window1000 = out;
    log(`B2 window ${window}: ${JSON.stringify(out)}`);
  }

  const serverRamp = async (
    name: 'b3' | 'b4',
    args: string[],
    env: Record<string, string>,
  ): Promise<ServerBaseline> => {
    const p = await freePort();
    const child = await session.startProcess(name, args, { ...env, PORT: String(p) }, p);
    const pool = openPool(`http://127.0.0.1:${p}`);
    const t: Target = { ...target, pool };
    const c = new Corpus({ seed: `${settings.seed}:${name}`, hubs, now });
    const l = new Ledger();
    // warm-up
    await closedLoop(
      t,
      c,
      SHAPES.single,
      Math.min(8, settings.maxClients.server),
      settings.warmUpSeconds,
      l,
    );
    const r = await ramp(
      name,
      async (n) => {
        const m = await measured(
          mon,
          child.pid!,
          p,
          () => closedLoop(t, c, SHAPES.single, n, settings.rampStepSeconds, l),
          (x) => x.acceptedEvents,
        );
        return { ...m.result, measures: m.measures };
      },
      settings.maxClients.server,
      log,
    );
    await pool.close();
    await session.stopProcess(name);
    return { saturation: r.best, steps: r.steps };
  };
  log('--- B3: the service answering 202 without storing (single events)');
  baselines.B3 = await serverRamp('b3', b3ServerArgs(), serviceEnv);
  log('--- B4: one MikroORM insert in its own transaction per request (single events)');
  await copyTable(ctx.db, 'events_b4');
  baselines.B4 = await serverRamp('b4', ['bench/ingestion/b4-server.ts'], {
    DATABASE_URL: session.dbUrl(),
  });
  const meanEventBytes = Math.round(
    events.reduce((sum, e) => sum + JSON.stringify(e).length, 0) / events.length,
  );
  return { baselines, meanEventBytes };
}

/** B3: the service's own executable, with `b3-server.ts` loaded first (it patches the writer). */
export function b3ServerArgs(): string[] {
  return ['--import', './bench/ingestion/b3-server.ts', serviceMain()];
}

/** The ingestion service's executable, as its package exports it. */
export function serviceMain(): string {
  return createRequire(join(repoRoot, 'package.json')).resolve('@ihf/ingestion-service/main');
}
