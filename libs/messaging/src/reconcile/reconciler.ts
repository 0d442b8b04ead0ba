import { type MikroORM } from '@mikro-orm/core';
import { type NatsConnection } from '@nats-io/nats-core';
import { assertSchemaName, query } from '@ihf/persistence';
import { DeliverPolicy, jetstream, jetstreamManager } from '@nats-io/jetstream';
import { EventHeaders, physicalSubject, type EventEnvelope } from '@ihf/contracts';
import { type Logger, silentLogger } from '../logger.js';
import { envelopeHeaders } from '../nats/batch-publisher.js';
import { type TableTailDefinition, type TailedRow } from '../tail/table-tail-relay.js';

/** A message a relay reports as published (acknowledged by JetStream). */
export interface RelayedMessage {
  readonly eventId: string;
  /** Physical subject (namespace applied). */
  readonly subject: string;
  readonly envelope: EventEnvelope;
  /** When the row was written: the message was stored after it. */
  readonly writtenAt: Date;
}

/** What a relay has published recently, for the reconciler to check against the stream. */
export interface ReconcileSource {
  /** For logs and the `source` metric label, e.g. `outbox` or `tail:interaction_events`. */
  readonly name: string;
  /** Messages the relay has published whose row was relayed at or after `since`. */
  relayedSince(since: Date): Promise<RelayedMessage[]>;
  /** Whether this replica reconciles the source now (default: always). */
  readonly active?: () => boolean;
}

/** Outcome of one reconciliation of one source. */
export interface ReconcileResult {
  readonly source: string;
  /** Relayed rows compared with their streams. */
  readonly checked: number;
  /** Of those, missing from their stream and published again. */
  readonly republished: number;
}

export interface ReconcilerOptions {
  readonly nc: NatsConnection;
  readonly sources: readonly ReconcileSource[];
  /** How far back rows are compared (default 15 minutes). */
  readonly windowMs?: number;
  /** Periodic runs (default every 5 minutes; 0: only on demand through `reconcileNow`). */
  readonly intervalMs?: number;
  /** Allowed difference between the database's and the NATS server's clocks (default 60 s). */
  readonly clockSkewMs?: number;
  readonly logger?: Logger;
  /** Called with each source's count of messages published again. */
  readonly onRepaired?: (source: string, count: number) => void;
}

/** Messages read per request while listing a stream's message ids. */
const READ_BATCH = 1_000;

/**
 * Restored messages within the duplicate window carry `Nats-Msg-Id` `<event_id>.restored.<ms>`
 * (see `republish`); the event id is what precedes the first dot (event ids are UUIDs).
 */
function eventIdOf(msgId: string): string {
  const dot = msgId.indexOf('.');
  return dot < 0 ? msgId : msgId.slice(0, dot);
}

/**
 * Compares what the relays say they published with what the streams hold, by message id, and
 * publishes again whatever is missing. A JetStream acknowledgement is not yet durability: a
 * single-replica stream acknowledges before its data reaches the disk (nats-server fsyncs
 * every two minutes by default), so a server crash can lose acknowledged messages that both
 * relays consider done. Until production streams run at three replicas (the scale-out issue),
 * this closes that gap for the last `windowMs`.
 *
 * How it checks (works on nats-server 2.9, which has no lookup by message id): for each
 * stream, an ordered consumer delivering headers only from the oldest row's time (minus the
 * clock skew) lists the `Nats-Msg-Id`s stored since. A missing one is published again with
 * its id; if JetStream still remembers the id in its duplicate window (the message was deleted
 * or purged, not lost with the server's memory), the ack says "duplicate" and nothing was
 * stored, so it is published once more under `<event_id>.restored.<ms>`. Consumers deduplicate
 * by the envelope's event id, so either way they handle it once.
 */
export class StreamReconciler {
  private readonly logger: Logger;
  private readonly windowMs: number;
  private readonly intervalMs: number;
  private readonly clockSkewMs: number;
  private timer?: NodeJS.Timeout;
  private running?: Promise<ReconcileResult[]>;

  constructor(private readonly options: ReconcilerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.windowMs = options.windowMs ?? 15 * 60_000;
    this.intervalMs = options.intervalMs ?? 5 * 60_000;
    this.clockSkewMs = options.clockSkewMs ?? 60_000;
  }

  /** Starts the periodic runs (if `intervalMs` > 0). */
  start(): void {
    if (this.intervalMs <= 0 || this.timer) return;
    this.timer = setInterval(() => {
      this.reconcileNow().catch((error: unknown) =>
        this.logger.warn({ err: error }, 'reconciler: run failed; next run at the next interval'),
      );
    }, this.intervalMs);
    this.timer.unref();
  }

  /** Stops the periodic runs and waits for a run in progress. */
  async stop(): Promise<void> {
    clearInterval(this.timer);
    this.timer = undefined;
    await this.running?.catch(() => undefined);
  }

  /** Runs now (a run already in progress is joined rather than started twice). */
  reconcileNow(): Promise<ReconcileResult[]> {
    this.running ??= this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<ReconcileResult[]> {
    const results: ReconcileResult[] = [];
    for (const source of this.options.sources) {
      if (source.active && !source.active()) continue;
      const result = await this.reconcile(source);
      results.push(result);
      if (result.republished > 0) {
        this.options.onRepaired?.(source.name, result.republished);
        this.logger.warn(
          { source: source.name, republished: result.republished, checked: result.checked },
          'reconciler: acknowledged messages were missing from their stream and were published again',
        );
      }
    }
    return results;
  }

  private async reconcile(source: ReconcileSource): Promise<ReconcileResult> {
    // Rows first, stream second: a row marked relayed before this query was acknowledged
    // before it, so its message is in the stream when the stream is read below.
    const relayed = await source.relayedSince(new Date(Date.now() - this.windowMs));
    if (relayed.length === 0) return { source: source.name, checked: 0, republished: 0 };
    const jsm = await jetstreamManager(this.options.nc);
    const streamOf = new Map<string, string>();
    const byStream = new Map<string, RelayedMessage[]>();
    for (const message of relayed) {
      let stream = streamOf.get(message.subject);
      if (!stream) {
        stream = await jsm.streams.find(message.subject);
        streamOf.set(message.subject, stream);
      }
      const list = byStream.get(stream) ?? [];
      list.push(message);
      byStream.set(stream, list);
    }
    let republished = 0;
    for (const [stream, messages] of byStream) {
      const oldest = Math.min(...messages.map((m) => m.writtenAt.getTime()));
      const stored = await this.storedIds(stream, new Date(oldest - this.clockSkewMs));
      for (const message of messages) {
        if (stored.has(message.eventId)) continue;
        await this.republish(message);
        republished++;
      }
    }
    return { source: source.name, checked: relayed.length, republished };
  }

  /** The event ids of the messages `stream` holds from `since` on. */
  private async storedIds(stream: string, since: Date): Promise<Set<string>> {
    const ids = new Set<string>();
    const jsm = await jetstreamManager(this.options.nc);
    const { state } = await jsm.streams.info(stream);
    if (state.messages === 0) return ids;
    const consumer = await jetstream(this.options.nc).consumers.get(stream, {
      deliver_policy: DeliverPolicy.StartTime,
      opt_start_time: since.toISOString(),
      headers_only: true,
    });
    try {
      // Nothing stored since: no need to wait for a fetch to expire.
      if ((await consumer.info()).num_pending === 0) return ids;
      for (;;) {
        let read = 0;
        let done = false;
        const batch = await consumer.fetch({ max_messages: READ_BATCH, expires: 2_000 });
        for await (const m of batch) {
          read++;
          const id = m.headers?.get(EventHeaders.MessageId);
          if (id) ids.add(eventIdOf(id));
          // Messages stored after the count above are newer than every row checked.
          if (m.seq >= state.last_seq || m.info.pending === 0) {
            done = true;
            break;
          }
        }
        if (done || read === 0) return ids;
      }
    } finally {
      await consumer.delete().catch(() => undefined);
    }
  }

  private async republish(message: RelayedMessage): Promise<void> {
    const js = jetstream(this.options.nc);
    const data = JSON.stringify(message.envelope);
    const headers = envelopeHeaders(message.envelope);
    const ack = await js.publish(message.subject, data, { headers });
    if (!ack.duplicate) return;
    headers.set(EventHeaders.MessageId, `${message.eventId}.restored.${Date.now()}`);
    await js.publish(message.subject, data, { headers });
  }
}

/** The outbox's rows published since `since` (by `published_at`). */
export function outboxReconcileSource(options: {
  readonly schema: string;
  readonly orm: MikroORM;
  readonly namespace: string;
}): ReconcileSource {
  return {
    name: 'outbox',
    async relayedSince(since) {
      const rows = await query<{
        id: string;
        subject: string;
        envelope: EventEnvelope;
        created_at: Date;
      }>(
        options.orm.em.fork(),
        `select id, subject, envelope, created_at from "${options.schema}".outbox
          where published_at >= ? order by published_at`,
        [since],
      );
      return rows.map((row) => ({
        eventId: row.id,
        subject: physicalSubject(options.namespace, row.subject),
        envelope: row.envelope,
        writtenAt: new Date(row.created_at),
      }));
    },
  };
}

/**
 * A tailed table's last rows behind its relay cursor (at most `maxRows`, default 20,000, read
 * backwards along the tail index, so the cost is bounded whatever the table's size and
 * indexes), of those the ones written since `since` (by the definition's `timeColumn`, which
 * it needs), except those set aside in `relay_failures`. `active`: reconcile only while it
 * returns true (e.g. while this replica leads the table, so that one replica does it).
 */
export function tailReconcileSource(
  options: TableTailDefinition & {
    readonly schema: string;
    readonly orm: MikroORM;
    readonly namespace: string;
    readonly maxRows?: number;
    readonly active?: () => boolean;
  },
): ReconcileSource {
  const { schema, table, name, timeColumn } = options;
  if (!timeColumn) throw new Error(`Tail '${name}' has no timeColumn: it cannot be reconciled`);
  assertSchemaName(timeColumn); // interpolated into SQL
  return {
    name: `tail:${name}`,
    active: options.active,
    async relayedSince(since) {
      const em = options.orm.em.fork();
      const rows = await query<TailedRow>(
        em,
        `select t.*, t."${timeColumn}" as "__written_at",
                t.tx_id::text || ':' || t.tail_seq::text as "__key"
           from "${schema}".relay_cursors c
           cross join lateral (
             select * from "${schema}"."${table}" t
              where (t.tx_id, t.tail_seq) <= (c.tx_id, c.seq)
              order by t.tx_id desc, t.tail_seq desc
              limit ?) t
          where c.name = ?`,
        [options.maxRows ?? 20_000, name],
      );
      const setAside = new Set(
        (
          await query<{ row_key: string }>(
            em,
            `select row_key from "${schema}".relay_failures where name = ?`,
            [name],
          )
        ).map((f) => f.row_key),
      );
      return rows
        .filter(
          (row) =>
            new Date(row.__written_at as string | Date) >= since &&
            !setAside.has(row.__key as string),
        )
        .map((row) => {
          const { subject, envelope } = options.toMessage(row);
          return {
            eventId: envelope.event_id,
            subject: physicalSubject(options.namespace, subject),
            envelope,
            writtenAt: new Date(row.__written_at as string | Date),
          };
        });
    },
  };
}
