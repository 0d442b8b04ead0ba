import { type NatsConnection } from '@nats-io/nats-core';
import { type Pool } from 'pg';
import { physicalSubject, type EventEnvelope } from '@ihf/contracts';
import { assertSchemaName } from '@ihf/persistence';
import { IHF_TRACER, contextFromCarrier, injectTraceContext } from '@ihf/observability';
import { ROOT_CONTEXT, SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { setTimeout as delay } from 'node:timers/promises';
import { type Logger, silentLogger } from '../logger.js';
import {
  BatchPublisher,
  MessageRefusedError,
  type BatchMessage,
  envelopeHeaders,
  natsHeaderSetter,
} from '../nats/batch-publisher.js';
import { NotificationListener } from '../outbox/notification-listener.js';
import { OutageLog } from '../outbox/outage-log.js';
import { tailChannel } from './table-tail.sql.js';

/** A row of a tailed table, as Postgres returns it (all columns). */
export type TailedRow = Record<string, unknown>;

/** How a tailed table's rows become messages. */
export interface TableTailDefinition {
  /** Cursor name (unique within the schema), e.g. `interaction_events`. */
  readonly name: string;
  /** The table, in the service's schema; prepared with `tableTailSql`. */
  readonly table: string;
  /**
   * The message for a row: its logical subject and envelope (event_id becomes `Nats-Msg-Id`),
   * and optionally the envelope's JSON text already built (`data`, then sent as it is).
   */
  readonly toMessage: (row: TailedRow) => {
    subject: string;
    envelope: EventEnvelope;
    data?: string;
  };
  /**
   * The select list the relay reads a row with (default `t.*`), e.g. to read a jsonb column as
   * text that `toMessage` puts into `data` unparsed. The reconciler always reads `t.*`, so
   * `toMessage` must take both forms.
   */
  readonly columns?: string;
  /** Rows per batch (default 500). */
  readonly batchSize?: number;
  /**
   * A column holding when the row was written (e.g. `received_at`): the relay lag gauge then
   * reports the age of the oldest unrelayed row, and the reconciler can pick recent rows.
   * Without it, the lag is how long the cursor has stood still while rows wait.
   */
  readonly timeColumn?: string;
  /**
   * Where a worker thread finds this definition, to relay off the request event loop
   * (`MessagingModuleOptions.tailThread`): a module the thread can `require` (a package export,
   * e.g. `@ihf/ingestion-service/interaction-tail`) and the name of its export.
   */
  readonly thread?: { readonly module: string; readonly exportName: string };
}

const PG_UTC_TIME_RE = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamp column as ISO 8601 with milliseconds (`toISOString()`'s form): from a `Date`, or
 * from Postgres' text in UTC (`2026-12-07 06:13:51.123456+00`, how a relay thread reads them)
 * without building a Date; fractional seconds are cut to milliseconds, as a Date would.
 */
export function tailTimeToIso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string') {
    const m = PG_UTC_TIME_RE.exec(value);
    if (m) return `${m[1]}T${m[2]}.${((m[3] ?? '') + '000').slice(0, 3)}Z`;
  }
  if (typeof value === 'string' || typeof value === 'number') {
    const time = new Date(value);
    if (!Number.isNaN(time.getTime())) return time.toISOString();
  }
  throw new Error(`Not a time: ${String(value)}`);
}

/** The queries the relay runs: a pg pool (the ORM's own, or one of the relay's thread). */
export type TailSql = Pick<Pool, 'query'>;

export interface TableTailRelayOptions extends TableTailDefinition {
  readonly schema: string;
  /** Where the relay reads rows and moves its cursor (bound parameters, no ORM layer). */
  readonly sql: TailSql;
  readonly databaseUrl: string;
  /** The connection to publish on (acknowledged by JetStream through `BatchPublisher`). */
  readonly nc: NatsConnection;
  readonly namespace: string;
  readonly logger?: Logger;
  readonly pollIntervalMs?: number;
  readonly publishTimeoutMs?: number;
  /**
   * Leadership lease (default 5 s): a leader that stops answering (dead process, silent link)
   * loses its lock within about this long and a standby takes over; see
   * `NotificationListenerOptions.leaseMs`.
   */
  readonly leaseMs?: number;
  /** After a wake-up, how long to wait for more rows before reading (default 20 ms). */
  readonly coalesceMs?: number;
  /** Called after each batch is acknowledged by JetStream, before the cursor moves. */
  readonly onPublished?: (count: number) => void;
  /** Called with the number of rows set aside in `relay_failures` (never to be published). */
  readonly onSetAside?: (count: number) => void;
}

interface Cursor {
  txId: string;
  seq: string;
}

/**
 * Age in seconds of the oldest row of a tailed table not yet relayed, 0 when none (see
 * `timeColumn`): relay health, answered from the database by any replica or thread, leader or
 * not (a dead leader reports nothing). Rows held back by a running transaction count: their
 * wait is real.
 */
export async function tailOldestPendingAgeSeconds(
  sql: TailSql,
  schema: string,
  definition: Pick<TableTailDefinition, 'name' | 'table' | 'timeColumn'>,
): Promise<number> {
  const { table, name, timeColumn } = definition;
  const since = timeColumn ? `t."${timeColumn}"` : 'c.updated_at';
  const {
    rows: [row],
  } = await sql.query<{ age: string | null }>(
    `select greatest(extract(epoch from now() - ${since}), 0) as age
       from (select coalesce(max(tx_id), '0'::xid8) as tx_id, coalesce(max(seq), 0) as seq,
                    coalesce(max(updated_at), now()) as updated_at
               from "${schema}".relay_cursors where name = $1) c
       join lateral (select * from "${schema}"."${table}" t
                      where (t.tx_id, t.tail_seq) > (c.tx_id, c.seq)
                      order by t.tx_id, t.tail_seq limit 1) t on true`,
    [name],
  );
  return Number(row?.age ?? 0);
}

/** Rows of a tailed table set aside in `relay_failures` (never published): for a gauge. */
export async function tailSetAsideRows(
  sql: TailSql,
  schema: string,
  name: string,
): Promise<number> {
  const {
    rows: [row],
  } = await sql.query<{ n: string }>(
    `select count(*) as n from "${schema}".relay_failures where name = $1`,
    [name],
  );
  return Number(row?.n ?? 0);
}

/**
 * Publishes every row of an append-only table to JetStream, in transaction-id order, without a per-row outbox write and without ever skipping a row.
 *
 * Why not "rows with a sequence greater than the last one seen": concurrent writers take
 * sequence numbers in one order and commit in another, so a row with a lower sequence can
 * become visible after the cursor has moved past it, and is lost. Instead each row carries the
 * id of the transaction that wrote it (`xid8`), and the relay only reads rows whose
 * transaction id is below the oldest transaction still running (`pg_snapshot_xmin`): every
 * such transaction has finished, so no row can appear behind the cursor `(tx_id, tail_seq)`
 * later. A long-running transaction anywhere on the server therefore delays (never loses)
 * relaying.
 *
 * One relay per table is active at a time, elected with an advisory lock on its LISTEN
 * session; the others stand by and take over when that session ends. The session is a lease
 * (`leaseMs`): a leader that dies or whose link goes silent is cut off by the server within
 * seconds, not whenever TCP notices. A batch is published and acknowledged before the cursor
 * moves, so a crash re-publishes at most one batch, which JetStream drops as duplicates
 * (`Nats-Msg-Id` = event id). Two statements per batch (rows, cursor update), and wake-ups are
 * coalesced (`coalesceMs`): under a steady stream of small commits the relay reads in batches
 * instead of once per commit.
 */
export class TableTailRelay {
  private readonly logger: Logger;
  private readonly listener: NotificationListener;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private readonly coalesceMs: number;
  /** The cursor while leading (only the leader moves it); re-read after a failure. */
  private cursor?: Cursor;
  private publisher?: BatchPublisher;
  private leaderGeneration?: number;
  private running?: Promise<void>;
  private stopping = false;

  constructor(private readonly options: TableTailRelayOptions) {
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? 500;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.coalesceMs = options.coalesceMs ?? 20;
    if (options.timeColumn) assertSchemaName(options.timeColumn); // interpolated into SQL
    this.listener = new NotificationListener(
      options.databaseUrl,
      tailChannel(options.schema, options.table),
      this.logger,
      {},
      { leaseMs: options.leaseMs ?? 5_000 },
    );
  }

  /** The tailed table's name. */
  get table(): string {
    return this.options.table;
  }

  /** Whether this relay currently holds the table's leadership. */
  get isLeader(): boolean {
    return (
      this.leaderGeneration !== undefined &&
      this.leaderGeneration === this.listener.currentGeneration
    );
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    await this.listener.start();
    this.running = this.loop();
  }

  async stop(): Promise<void> {
    this.stopping = true;
    this.listener.interrupt();
    await this.running;
    this.running = undefined;
    await this.listener.stop(); // ends the session, which releases the leadership lock
    this.leaderGeneration = undefined;
    this.publisher?.close();
    this.publisher = undefined;
  }

  /** Relays now, as a notification would (a writer in this process has just committed). */
  wake(): void {
    this.listener.interrupt();
  }

  /** See {@link tailOldestPendingAgeSeconds}. */
  oldestPendingAgeSeconds(): Promise<number> {
    return tailOldestPendingAgeSeconds(this.options.sql, this.options.schema, this.options);
  }

  /** See {@link tailSetAsideRows}. */
  setAsideRows(): Promise<number> {
    return tailSetAsideRows(this.options.sql, this.options.schema, this.options.name);
  }

  /** Publishes the next batch of visible rows; returns how many. Only call as the leader. */
  async relayOnce(): Promise<number> {
    const { schema, table, name, nc, namespace, sql } = this.options;
    // The cursor is read once per leadership and then kept here: only the leader moves it.
    // No transaction: the rows query sees committed rows only, and the cursor update below is
    // conditional, so a crash between publish and update re-publishes one batch at most.
    const cursor = (this.cursor ??= await this.readCursor());
    // Named statements (here and for the cursor): parsed and planned once per connection. Not
    // for `t.*`: a column added by a rolling upgrade would change its result type, which a
    // prepared statement refuses ("cached plan must not change result type") until reconnected.
    const { rows } = await sql.query<TailedRow>({
      name: this.options.columns ? `ihf_tail_rows_${schema}_${name}` : undefined,
      text: `select ${this.options.columns ?? 't.*'}, t.tx_id::text as "__tx_id", t.tail_seq::text as "__seq"
         from "${schema}"."${table}" t
        where (t.tx_id, t.tail_seq) > ($1::xid8, $2::bigint)
          and t.tx_id < pg_snapshot_xmin(pg_current_snapshot())
        order by t.tx_id, t.tail_seq
        limit $3`,
      values: [cursor.txId, cursor.seq, this.batchSize],
    });
    if (rows.length === 0) return 0;
    // A row that cannot be turned into a message, or that NATS refuses for good (larger than
    // max_payload), would stop the table forever: it is set aside in relay_failures (with the
    // reason, for an operator) and the cursor moves on. Any other failure (no answer, a
    // refusal that may pass) fails the batch, which is retried from the cursor.
    const messages: BatchMessage[] = [];
    const parents: (string | undefined)[] = [];
    const keys: string[] = [];
    const unpublishable: { key: string; error: string }[] = [];
    for (const row of rows) {
      const key = `${String(row.__tx_id)}:${String(row.__seq)}`;
      try {
        const { message, traceparent } = this.outgoing(row, namespace);
        messages.push(message);
        parents.push(traceparent);
        keys.push(key);
      } catch (error) {
        unpublishable.push({
          key,
          error: String((error as Error)?.message ?? error).slice(0, 1000),
        });
      }
    }
    this.publisher ??= new BatchPublisher(nc);
    const outcomes = await this.publishTraced(messages, parents);
    const retryable = outcomes.find((e) => e && !(e instanceof MessageRefusedError && e.permanent));
    if (retryable) throw retryable;
    outcomes.forEach((error, i) => {
      if (error) unpublishable.push({ key: keys[i], error: error.message.slice(0, 1000) });
    });
    if (unpublishable.length) {
      await sql.query(
        `insert into "${schema}".relay_failures (name, row_key, error)
         select $1, f.key, f.error from jsonb_to_recordset($2::jsonb) as f(key text, error text)`,
        [name, JSON.stringify(unpublishable)],
      );
      this.logger.error(
        {
          table,
          count: unpublishable.length,
          rows: unpublishable.map((u) => u.key),
          error: unpublishable[0].error,
        },
        'table tail relay: rows set aside in relay_failures',
      );
      this.options.onSetAside?.(unpublishable.length);
    }
    this.options.onPublished?.(outcomes.filter((error) => error === undefined).length);
    const last = rows[rows.length - 1];
    const next = { txId: String(last.__tx_id), seq: String(last.__seq) };
    const moved = await sql.query({
      name: `ihf_tail_cursor_${schema}_${name}`,
      text: `update "${schema}".relay_cursors set tx_id = $1::xid8, seq = $2::bigint, updated_at = now()
        where name = $3 and (tx_id, seq) < ($1::xid8, $2::bigint)
        returning name`,
      values: [next.txId, next.seq, name],
    });
    // Not moved: someone else did (an operator's reset, a former leader): read it again.
    this.cursor = moved.rowCount === 1 ? next : undefined;
    return rows.length;
  }

  /**
   * Publishes a batch. With tracing on, a message whose envelope names the trace of the request
   * that wrote its row (`traceparent`, stored only for sampled requests) gets a producer span
   * of its own, a child of that request, so the request's trace continues to the consumers.
   * The other messages share one producer span for the batch (a new trace: the rows come from
   * many requests, written together by a group commit): one span per batch, not per row.
   */
  private async publishTraced(
    messages: BatchMessage[],
    parents: (string | undefined)[],
  ): Promise<(Error | undefined)[]> {
    const tracer = trace.getTracer(IHF_TRACER);
    const attributes = {
      'messaging.system': 'nats',
      'messaging.operation.type': 'send',
      'ihf.table': this.options.table,
    };
    const own: (Span | undefined)[] = parents.map((traceparent, i) => {
      if (!traceparent) return undefined;
      const parent = contextFromCarrier({ traceparent });
      const span = tracer.startSpan(
        `publish ${this.options.table} row`,
        { kind: SpanKind.PRODUCER, attributes },
        parent,
      );
      injectTraceContext(messages[i].headers, natsHeaderSetter, trace.setSpan(parent, span));
      return span;
    });
    const shared = own.filter((s) => !s).length;
    const span = shared
      ? tracer.startSpan(
          `publish ${this.options.table} batch`,
          {
            kind: SpanKind.PRODUCER,
            attributes: { ...attributes, 'messaging.batch.message_count': shared },
          },
          ROOT_CONTEXT,
        )
      : undefined;
    if (span?.isRecording()) {
      const ctx = trace.setSpan(ROOT_CONTEXT, span);
      messages.forEach((m, i) => {
        if (!own[i]) injectTraceContext(m.headers, natsHeaderSetter, ctx);
      });
    }
    try {
      const outcomes = await this.publisher!.publishEach(messages, this.publishTimeoutMs);
      outcomes.forEach((error, i) => {
        if (error) own[i]?.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
      });
      const failed = outcomes.filter((error, i) => error && !own[i]).length;
      if (failed)
        span?.setStatus({ code: SpanStatusCode.ERROR, message: `${failed} not published` });
      return outcomes;
    } finally {
      span?.end();
      for (const s of own) s?.end();
    }
  }

  /** The message of one row; throws when the row cannot be one. */
  private outgoing(
    row: TailedRow,
    namespace: string,
  ): { message: BatchMessage; traceparent?: string } {
    const { subject, envelope, data } = this.options.toMessage(row);
    return {
      message: {
        subject: physicalSubject(namespace, subject),
        data: data ?? JSON.stringify(envelope),
        headers: envelopeHeaders(envelope),
      },
      traceparent: envelope.traceparent,
    };
  }

  /**
   * The stored cursor (created at zero if missing), checked against the server's transaction
   * ids. The insert is its own statement: a write inside a batch would hold back the batch's
   * own snapshot xmin.
   */
  private async readCursor(): Promise<Cursor> {
    const { schema, name, sql } = this.options;
    await sql.query(
      `insert into "${schema}".relay_cursors (name, tx_id, seq) values ($1, '0'::xid8, 0) on conflict (name) do nothing`,
      [name],
    );
    const {
      rows: [row],
    } = await sql.query<{ tx_id: string; seq: string; ahead: boolean }>(
      `select tx_id::text as tx_id, seq::text as seq,
              tx_id > pg_snapshot_xmax(pg_current_snapshot()) as ahead
         from "${schema}".relay_cursors where name = $1`,
      [name],
    );
    if (row.ahead) {
      // Transaction ids restarted below the cursor: the database was restored or moved to
      // another cluster. Every new row would sort before the cursor and never be relayed.
      throw new Error(
        `relay cursor '${name}' (tx ${row.tx_id}) is ahead of this server's transaction ids; ` +
          `after checking what was relayed, reset it: update "${schema}".relay_cursors set tx_id = '0', seq = 0 where name = '${name}'`,
      );
    }
    return { txId: row.tx_id, seq: row.seq };
  }

  private async loop(): Promise<void> {
    const lockKey = `ihf:tail:${this.options.schema}.${this.options.table}`;
    const outage = new OutageLog(this.logger, `table tail relay (${this.options.table})`);
    while (!this.stopping) {
      if (!this.isLeader) {
        this.leaderGeneration = await this.listener.tryAdvisoryLock(lockKey).catch(() => undefined);
        if (!this.isLeader) {
          await this.listener.wait(this.pollIntervalMs);
          continue;
        }
        this.cursor = undefined;
        this.logger.info({ table: this.options.table }, 'table tail relay: leading');
      }
      let published: number;
      try {
        published = await this.relayOnce();
        outage.succeeded();
      } catch (error) {
        this.cursor = undefined;
        // The listener cuts this wait short while the database is unreachable (see its poll).
        const delay = outage.nextDelayMs();
        outage.failed(error, delay);
        await this.listener.wait(delay);
        continue;
      }
      // A full batch means more may be waiting; rows held back by a running transaction
      // show up on the next notification or poll.
      if (published < this.batchSize) {
        await this.listener.wait(this.pollIntervalMs);
        // Let a few more commits arrive, so that a steady trickle of small inserts (a group
        // commit every few ms) costs one relay pass per `coalesceMs`, not one per commit.
        if (this.coalesceMs > 0 && !this.stopping) await delay(this.coalesceMs);
      }
    }
  }
}
