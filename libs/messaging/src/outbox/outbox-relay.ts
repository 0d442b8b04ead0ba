import { type MikroORM } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { type MsgHdrs, type NatsConnection } from '@nats-io/nats-core';
import { physicalSubject, type EventEnvelope } from '@ihf/contracts';
import { IHF_TRACER, contextFromCarrier, injectTraceContext } from '@ihf/observability';
import { SpanKind, SpanStatusCode, trace, type Span } from '@opentelemetry/api';
import { type Logger, silentLogger } from '../logger.js';
import {
  BatchPublisher,
  MessageRefusedError,
  envelopeHeaders,
  natsHeaderSetter,
} from '../nats/batch-publisher.js';
import { NotificationListener } from './notification-listener.js';
import { OutageLog } from './outage-log.js';
import { outboxChannel } from './messaging-tables.sql.js';

/** One relayed outbox row, as reported to `onPublished`. */
export interface RelayedEvent {
  readonly envelope: EventEnvelope;
  readonly createdAt: Date;
}

export interface OutboxRelayOptions {
  /** The service's schema (holds the outbox table). */
  readonly schema: string;
  readonly orm: MikroORM;
  /** Used for the LISTEN session (its own connection, outside the pool). */
  readonly databaseUrl: string;
  /** The connection to publish on (acknowledged by JetStream through `BatchPublisher`). */
  readonly nc: NatsConnection;
  /** Bus namespace ('' in production). */
  readonly namespace: string;
  readonly logger?: Logger;
  /** Rows claimed per transaction. */
  readonly batchSize?: number;
  /** Poll fallback when no notification arrives. */
  readonly pollIntervalMs?: number;
  /** How long to wait for JetStream to acknowledge a publish. */
  readonly publishTimeoutMs?: number;
  /** How long published rows are kept (for audit and replays) before being deleted. */
  readonly retentionMs?: number;

  /**
   * Called with each batch after JetStream acknowledged it and before the rows are marked
   * published, inside the claiming transaction: metrics (relay lag) hook in here. If it
   * throws, the batch stays unpublished and is sent again (deduplicated by `Nats-Msg-Id`).
   */
  readonly onPublished?: (events: RelayedEvent[]) => void | Promise<void>;
}

/** 2^9 s is past the 5-minute cap already; a higher exponent only risks overflow. */
const MAX_BACKOFF_EXPONENT = 16;

/** Ids are passed as one JSON array parameter (one bind value whatever the batch size). */
const ID_LIST = '(select jsonb_array_elements_text(?::jsonb)::uuid)';

interface OutboxRow {
  id: string;
  subject: string;
  envelope: EventEnvelope;
  created_at: Date;
}

/**
 * The NATS hop of a traced event: a producer span, child of the span that wrote the event
 * (its envelope's `traceparent`), whose context replaces the envelope's in the headers so that
 * the consumer's span is its child. Events written without tracing get no span.
 */
function publishSpan(row: OutboxRow, headers: MsgHdrs): Span | undefined {
  if (!row.envelope.traceparent) return undefined;
  const parent = contextFromCarrier(row.envelope);
  const span = trace.getTracer(IHF_TRACER).startSpan(
    `publish ${row.subject}`,
    {
      kind: SpanKind.PRODUCER,
      attributes: {
        'messaging.system': 'nats',
        'messaging.operation.type': 'send',
        'messaging.destination.name': row.subject,
        'messaging.message.id': row.envelope.event_id,
        'ihf.producer': row.envelope.producer,
        'ihf.correlation_id': row.envelope.correlation_id,
      },
    },
    parent,
  );
  injectTraceContext(headers, natsHeaderSetter, trace.setSpan(parent, span));
  return span;
}

function endPublishSpan(span: Span | undefined, error: Error | undefined): void {
  if (!span) return;
  if (error) span.setStatus({ code: SpanStatusCode.ERROR, message: error.message });
  span.end();
}

/**
 * Publishes a service's outbox to JetStream. Any number of relays may run (one per replica):
 * each claims rows with `FOR UPDATE SKIP LOCKED`, publishes them with `Nats-Msg-Id` = event id,
 * and marks them published in the same transaction. If a relay dies after publishing and
 * before committing, the rows are claimed again and the re-publish is dropped by JetStream's
 * duplicate window (and by consumers' inboxes after it). Woken by NOTIFY from the outbox's
 * insert trigger, with a slow poll as fallback; while NATS is unreachable rows simply wait.
 */
export class OutboxRelay {
  private readonly logger: Logger;
  private readonly batchSize: number;
  private readonly pollIntervalMs: number;
  private readonly publishTimeoutMs: number;
  private publisher?: BatchPublisher;
  private readonly retentionMs: number;
  private readonly listener: NotificationListener;
  private running?: Promise<void>;
  private stopping = false;
  private lastCleanup = 0;
  /** Why the first row of the last batch failed (a refusal says so: permissions, no stream). */
  private lastFailure?: string;

  constructor(private readonly options: OutboxRelayOptions) {
    this.logger = options.logger ?? silentLogger;
    this.batchSize = options.batchSize ?? 200;
    this.pollIntervalMs = options.pollIntervalMs ?? 1_000;
    this.publishTimeoutMs = options.publishTimeoutMs ?? 5_000;
    this.retentionMs = options.retentionMs ?? 7 * 24 * 3600 * 1000;

    this.listener = new NotificationListener(
      options.databaseUrl,
      outboxChannel(options.schema),
      this.logger,
    );
  }

  async start(): Promise<void> {
    if (this.running) return;
    this.stopping = false;
    await this.listener.start();
    this.running = this.loop();
  }

  /** Stops after the batch in progress (if any) has committed. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.listener.interrupt();
    await this.running;
    this.running = undefined;
    await this.listener.stop();
    this.publisher?.close();
    this.publisher = undefined;
  }

  /** Age in seconds of the oldest event not yet published (0 when none): relay health. */
  async oldestPendingAgeSeconds(): Promise<number> {
    const em = this.options.orm.em.fork() as unknown as SqlEntityManager;
    const [row] = await em.execute<{ age: string | null }[]>(
      `select extract(epoch from now() - min(created_at)) as age from "${this.options.schema}".outbox where published_at is null`,
    );
    return Number(row?.age ?? 0);
  }

  /** Events not yet published (the backlog). */
  async pendingCount(): Promise<number> {
    const em = this.options.orm.em.fork() as unknown as SqlEntityManager;
    const [row] = await em.execute<{ n: string }[]>(
      `select count(*) as n from "${this.options.schema}".outbox where published_at is null`,
    );
    return Number(row?.n ?? 0);
  }

  /**
   * Claims and publishes one batch. Returns how many rows were published; rows JetStream did
   * not acknowledge stay pending with their error recorded.
   */
  async relayOnce(): Promise<{ published: number; failed: number }> {
    const { schema, nc, namespace } = this.options;
    const em = this.options.orm.em.fork() as unknown as SqlEntityManager;
    return em.transactional(async (tx) => {
      const rows = await tx.execute<OutboxRow[]>(
        `select id, subject, envelope, created_at from "${schema}".outbox
          where published_at is null and next_attempt_at <= now()
          order by seq limit ? for update skip locked`,
        [this.batchSize],
      );
      if (rows.length === 0) return { published: 0, failed: 0 };

      this.publisher ??= new BatchPublisher(nc);
      const spans: (Span | undefined)[] = [];
      const outcomes = await this.publisher.publishEach(
        rows.map((row) => {
          const headers = envelopeHeaders(row.envelope);
          spans.push(publishSpan(row, headers));
          return {
            subject: physicalSubject(namespace, row.subject),
            data: JSON.stringify(row.envelope),
            headers,
          };
        }),
        this.publishTimeoutMs,
      );
      spans.forEach((span, i) => endPublishSpan(span, outcomes[i]));
      const ok = rows.filter((_, i) => outcomes[i] === undefined);
      const failed = rows.flatMap((row, i) => {
        const error = outcomes[i];
        return error ? [{ row, error }] : [];
      });

      if (ok.length > 0) {
        await this.options.onPublished?.(
          ok.map((r) => ({ envelope: r.envelope, createdAt: new Date(r.created_at) })),
        );
        await tx.execute(
          `update "${schema}".outbox set published_at = now() where id in ${ID_LIST}`,
          [JSON.stringify(ok.map((r) => r.id))],
        );
      }
      if (failed.length > 0) await this.recordFailures(tx, failed, ok.length > 0);
      this.lastFailure = failed[0]?.error.message;
      return { published: ok.length, failed: failed.length };
    });
  }

  /**
   * Records each failed row's error and back-off. In a savepoint: should this statement fail,
   * only it is undone, never the published-marks of the rows JetStream acknowledged (undoing
   * them would re-publish those rows on every pass, as duplicates once the dedupe window has
   * passed, and never reach the rows behind them).
   */
  private async recordFailures(
    tx: SqlEntityManager,
    failed: { row: OutboxRow; error: Error }[],
    othersWentThrough: boolean,
  ): Promise<void> {
    // A row gets its own back-off when the failure is its own: others in the batch went
    // through, or NATS answered "no" for it (say, its stream is missing). When nothing went
    // through without an answer, NATS itself is unreachable: the loop backs off instead, and
    // every row goes out as soon as NATS is back.
    const failures = failed.map((f) => ({
      id: f.row.id,
      error: f.error.message.slice(0, 1000),
      backoff: othersWentThrough || f.error instanceof MessageRefusedError,
    }));
    await tx.execute('savepoint outbox_failures');
    try {
      // The exponent is capped: `least` evaluates both arguments, and 2^44 seconds is out of
      // an interval's range (which would fail the statement on every pass).
      await tx.execute(
        `update "${this.options.schema}".outbox o
            set attempts = o.attempts + 1,
                last_error = f.error,
                next_attempt_at = case when f.backoff
                  then now() + least(interval '1 second' * power(2, least(o.attempts, ${MAX_BACKOFF_EXPONENT})), interval '5 minutes')
                  else o.next_attempt_at end
           from jsonb_to_recordset(?::jsonb) as f(id uuid, error text, backoff boolean)
          where o.id = f.id`,
        [JSON.stringify(failures)],
      );
      await tx.execute('release savepoint outbox_failures');
    } catch (error) {
      await tx.execute('rollback to savepoint outbox_failures');
      this.logger.error(
        { err: error, failed: failed.length },
        'outbox relay: could not record failed rows; they will be retried',
      );
    }
    this.logger.warn(
      { failed: failed.length, error: failures[0].error },
      'outbox relay: JetStream did not acknowledge; those rows will be retried',
    );
  }

  private async loop(): Promise<void> {
    const outage = new OutageLog(this.logger, 'outbox relay');
    while (!this.stopping) {
      let full: boolean;
      try {
        const { published, failed } = await this.relayOnce();
        full = published + failed === this.batchSize;
        // Nothing got through: NATS is down or refuses (permissions); back off instead of spinning.
        if (failed > 0 && published === 0) {
          throw new Error(
            `${failed} events not acknowledged: ${this.lastFailure ?? 'no reason given'}`,
          );
        }
        outage.succeeded();
        await this.cleanupIfDue();
      } catch (error) {
        // The listener cuts this wait short while the database is unreachable (see its poll).
        const delay = outage.nextDelayMs();
        outage.failed(error, delay);
        await this.listener.wait(delay);
        continue;
      }
      if (!full) await this.listener.wait(this.pollIntervalMs);
    }
  }

  private async cleanupIfDue(): Promise<void> {
    if (Date.now() - this.lastCleanup < 10 * 60_000) return;
    this.lastCleanup = Date.now();
    const em = this.options.orm.em.fork() as unknown as SqlEntityManager;
    await em.execute(
      `delete from "${this.options.schema}".outbox where published_at < now() - (? * interval '1 millisecond')`,
      [this.retentionMs],
    );
  }
}
