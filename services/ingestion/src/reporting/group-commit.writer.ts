import { performance } from 'node:perf_hooks';
import { Inject, Injectable, Logger, type OnModuleInit, Optional } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type PoolClient } from 'pg';
import { Counter, Histogram } from 'prom-client';
import { MetricsService } from '@ihf/observability';
import { TAIL_WOKEN_LOCALLY, TableTails } from '@ihf/messaging';
import { IngestionConfig } from '../config/ingestion.config.js';
import { ClientGoneError } from '../common/client-gone.error.js';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';

/** One interaction event ready to be stored (validated, snake_case as the table). */
export interface EventRow {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly widget_version: number;
  readonly event_type: string;
  readonly actor_id: string | null;
  readonly actor_type: string;
  readonly view_context_ref: string | null;
  readonly metadata: Record<string, unknown>;
  readonly occurred_at: string;
  /** The reporting request's trace context, only when it was sampled (see the migration). */
  readonly traceparent?: string;
}

/** One refused event to keep in quarantine. */
export interface QuarantineRow {
  readonly hub_id: string;
  readonly kind: 'interaction_event' | 'annotation';
  readonly event_id: string | null;
  /** The client id, else the SHA-256 of the raw JSON: a retry is quarantined once per rule. */
  readonly dedupe_key: string;
  readonly widget_id: string | null;
  readonly raw: unknown;
  readonly raw_truncated: boolean;
  readonly reason_code: string;
  readonly rule_id: string;
  readonly contract_kind: string | null;
  readonly contract_version: string | null;
  readonly detail: string | null;
}

/** What happened to each submitted event id. */
export type WriteOutcome = 'accepted' | 'duplicate';

interface Submission {
  readonly events: readonly EventRow[];
  readonly quarantine: readonly QuarantineRow[];
  /** When the request handed its rows over (performance.now()). */
  readonly submittedAt: number;
  /** Aborted when the client's connection closed: then its rows are not written. */
  readonly abandoned?: AbortSignal;
  resolve(outcomes: Map<string, WriteOutcome>): void;
  reject(error: unknown): void;
}

const INSERT_SQL = `with q as (
  insert into ingestion.quarantined_events
    (hub_id, kind, event_id, dedupe_key, widget_id, raw, raw_truncated, reason_code, rule_id, contract_kind, contract_version, detail)
  select hub_id, kind, event_id, dedupe_key, widget_id, raw, raw_truncated, reason_code, rule_id, contract_kind, contract_version, detail
  from jsonb_to_recordset($1::jsonb) as x(hub_id uuid, kind text, event_id uuid, dedupe_key text, widget_id uuid, raw jsonb,
    raw_truncated boolean, reason_code text, rule_id text, contract_kind text, contract_version text, detail text)
  on conflict (hub_id, dedupe_key, rule_id) where replayed_at is null do nothing
)
insert into ingestion.interaction_events
  (id, hub_id, widget_id, widget_version, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at, traceparent)
select id, hub_id, widget_id, widget_version, event_type, actor_id, actor_type, view_context_ref, metadata, occurred_at, traceparent
from jsonb_to_recordset($2::jsonb) as x(id uuid, hub_id uuid, widget_id uuid, widget_version int, event_type text,
  actor_id uuid, actor_type text, view_context_ref text, metadata jsonb, occurred_at timestamptz, traceparent text)
on conflict (id) do nothing
returning id`;

/**
 * SQLSTATEs of the server-side limits set on the write's transaction (statement_timeout,
 * idle_in_transaction_session_timeout): the write timed out, whatever the shared classifier
 * thinks of them.
 */
const SERVER_TIMEOUT_STATES = new Set(['57014', '25P03']);

/** The table the writer appends to, relayed to IHF_EVENTS by its table tail relay. */
const TAILED_TABLE = 'interaction_events';

/** Flushes running at once (each on its own pooled connection). */
const MAX_CONCURRENT_FLUSHES = 2;

/**
 * Group commit: the events of concurrent requests are written together, in one multi-row
 * `INSERT … ON CONFLICT (id) DO NOTHING RETURNING id` (plus the refused events into quarantine,
 * in the same statement), after waiting at most `INGESTION_GROUP_COMMIT_MAX_WAIT_MS` for
 * company or as soon as `INGESTION_GROUP_COMMIT_MAX_ROWS` are pending. Each request learns,
 * once the statement has committed, which of its ids were new (accepted) and which were
 * already stored (duplicate). Not through the ORM's unit of work: one statement per group.
 */
@Injectable()
export class GroupCommitWriter implements OnModuleInit {
  private readonly logger = new Logger(GroupCommitWriter.name);
  private pending: Submission[] = [];
  private pendingRows = 0;
  private timer?: NodeJS.Timeout;
  private inFlight = 0;
  private groupSize?: Histogram;
  private writeSeconds?: Histogram;
  private waitSeconds?: Histogram;
  private outcomes?: Counter<'outcome'>;
  private overload?: Counter<'reason'>;
  private abandonedRequests?: Counter;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Optional() @Inject(TableTails) private readonly tails?: TableTails,
  ) {}

  onModuleInit(): void {
    this.groupSize = new Histogram({
      name: 'ihf_ingestion_group_commit_rows',
      help: 'Rows (events and quarantined refusals) written per group commit.',
      buckets: [1, 5, 10, 50, 100, 500, 1000, 5000, 20000],
      registers: [this.metrics.registry],
    });
    // Where an answer's time goes: waiting for company or a free flush, then the statement.
    const buckets = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
    this.writeSeconds = new Histogram({
      name: 'ihf_ingestion_group_commit_seconds',
      help: 'Duration of each group commit statement, from sending it to its commit.',
      buckets,
      registers: [this.metrics.registry],
    });
    this.waitSeconds = new Histogram({
      name: 'ihf_ingestion_group_commit_wait_seconds',
      help: 'Time a request waited between handing over its rows and its group commit starting.',
      buckets,
      registers: [this.metrics.registry],
    });
    this.outcomes = new Counter({
      name: 'ihf_ingestion_events_total',
      help: 'Reported interaction events, by outcome (accepted, duplicate, rejected).',
      labelNames: ['outcome'],
      registers: [this.metrics.registry],
    });
    this.overload = new Counter({
      name: 'ihf_ingestion_overload_refusals_total',
      help: 'Reporting requests answered 503 because the service was at capacity, by bound (in_flight, event_loop_delay, pending_events).',
      labelNames: ['reason'],
      registers: [this.metrics.registry],
    });
    this.abandonedRequests = new Counter({
      name: 'ihf_ingestion_abandoned_writes_total',
      help: 'Reporting requests whose rows were not written because the client had closed its connection before their group commit started.',
      registers: [this.metrics.registry],
    });
  }

  /** Counts a request refused for overload. */
  countOverload(reason: string): void {
    this.overload?.inc({ reason });
  }

  /** Counts refusals decided before writing (for the same metric as accepted/duplicate). */
  countRejected(n: number): void {
    if (n > 0) this.outcomes?.inc({ outcome: 'rejected' }, n);
  }

  /**
   * Stores `events` (and `quarantine`) with the next group; resolves once committed with the
   * outcome of each event id. Within one group the first submission of an id wins; later ones
   * are duplicates. When `abandoned` is aborted before the group commit starts (the client
   * closed its connection), nothing of this submission is written and it rejects with
   * {@link ClientGoneError}; once the commit has started, the rows are written regardless.
   *
   * @throws StorageUnavailableError when Postgres is unreachable or too slow (nothing of this
   *   submission may be assumed stored).
   */
  write(
    events: readonly EventRow[],
    quarantine: readonly QuarantineRow[] = [],
    abandoned?: AbortSignal,
  ): Promise<Map<string, WriteOutcome>> {
    if (events.length === 0 && quarantine.length === 0)
      return Promise.resolve(new Map<string, WriteOutcome>());
    if (abandoned?.aborted) {
      this.abandonedRequests?.inc();
      return Promise.reject(new ClientGoneError());
    }
    return new Promise((resolve, reject) => {
      this.pending.push({
        events,
        quarantine,
        submittedAt: performance.now(),
        abandoned,
        resolve,
        reject,
      });
      this.pendingRows += events.length + quarantine.length;
      if (this.pendingRows >= this.config.INGESTION_GROUP_COMMIT_MAX_ROWS) this.kick();
      else
        this.timer ??= setTimeout(
          () => this.kick(),
          this.config.INGESTION_GROUP_COMMIT_MAX_WAIT_MS,
        );
    });
  }

  private kick(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    if (this.pending.length === 0 || this.inFlight >= MAX_CONCURRENT_FLUSHES) return;
    const group = this.pending;
    this.pending = [];
    this.pendingRows = 0;
    this.inFlight++;
    void this.flush(group).finally(() => {
      this.inFlight--;
      // Whatever queued meanwhile has already waited: write it now.
      if (this.pending.length > 0) this.kick();
    });
  }

  private async flush(submitted: Submission[]): Promise<void> {
    const started = performance.now();
    // Checked as the batch is built, the last moment before the commit starts: rows of a
    // client that has gone (timed out, navigated away) would be stored for nobody's answer,
    // and under overload they are the bulk of what queued.
    const group: Submission[] = [];
    for (const s of submitted) {
      if (s.abandoned?.aborted) {
        this.abandonedRequests?.inc();
        s.reject(new ClientGoneError());
      } else group.push(s);
    }
    if (group.length === 0) return;
    for (const s of group) this.waitSeconds?.observe((started - s.submittedAt) / 1000);
    try {
      const inserted = await this.insert(group);
      this.writeSeconds?.observe((performance.now() - started) / 1000);
      this.settle(group, inserted);
    } catch (error) {
      if (
        isConnectionError(error) ||
        error instanceof StorageUnavailableError ||
        group.length === 1
      ) {
        const failure = this.asFailure(error);
        for (const s of group) s.reject(failure);
        return;
      }
      // One request's rows sank the statement (a bug or a value Postgres refuses): write each
      // request alone, so that only that one fails.
      this.logger.warn(
        `Group commit of ${group.length} requests failed (${String(error)}); retrying one by one`,
      );
      for (const s of group) {
        try {
          this.settle([s], await this.insert([s]));
        } catch (single) {
          s.reject(this.asFailure(single));
        }
      }
    }
  }

  private async insert(group: readonly Submission[]): Promise<Set<string>> {
    const seen = new Set<string>();
    const events: EventRow[] = [];
    const quarantine: QuarantineRow[] = [];
    for (const s of group) {
      for (const e of s.events) {
        if (!seen.has(e.id)) {
          seen.add(e.id);
          events.push(e);
        }
      }
      quarantine.push(...s.quarantine);
    }
    this.groupSize?.observe(events.length + quarantine.length);
    const rows = await this.commitWithin(this.config.INGESTION_DB_WRITE_TIMEOUT_MS, [
      JSON.stringify(quarantine),
      JSON.stringify(events),
    ]);
    return new Set(rows.map((r) => r.id));
  }

  /**
   * Runs the insert in a transaction that can only commit while the caller still waits: the
   * caller is answered 503 after `ms`, so nothing may commit after that. Hence an explicit
   * COMMIT, sent only if the insert answered in time (a late answer leaves the transaction
   * uncommitted and its connection is ended, which rolls it back), and server-side limits for a
   * link that went silent: `statement_timeout` cancels an insert still running (waiting on a
   * lock, a stalled disk), `idle_in_transaction_session_timeout` ends a session whose COMMIT or
   * end never arrives. Straight to the pg pool with bound parameters: the ORM's `execute()`
   * would inline and escape the whole JSON batch into the SQL text (measured: a tenth of the
   * service's CPU).
   *
   * What stays unknowable: a COMMIT sent in time whose answer is lost. Then the caller gets 503
   * for a stored write, which is why a 503 means "outcome unknown, resend with the same ids".
   */
  private async commitWithin(ms: number, params: [string, string]): Promise<{ id: string }[]> {
    const pool = await this.em.getConnection().getNativeClient();
    let timedOut = false;
    let client: PoolClient | undefined;
    let released = false;
    let wokenLocally = false;
    // Destroyed rather than returned after any failure: an aborted transaction or a silent link.
    const release = (destroy: boolean) => {
      if (!client || released) return;
      released = true;
      client.release(destroy || undefined);
    };
    const write = async (): Promise<{ id: string }[]> => {
      client = await pool.connect();
      try {
        if (timedOut) throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC);
        // While this replica's relay leads the table, it is woken here after the commit
        // instead of by the trigger's NOTIFY (which serialises commits cluster-wide).
        wokenLocally = this.tails?.leads(TAILED_TABLE) ?? false;
        await client.query(
          `begin; set local statement_timeout = ${ms}; set local idle_in_transaction_session_timeout = ${ms}` +
            (wokenLocally ? `; set local ${TAIL_WOKEN_LOCALLY} = 'on'` : ''),
        );
        // A named statement: Postgres parses and plans it once per connection, not per group.
        const result = await client.query<{ id: string }>({
          name: 'ihf_ingestion_group_commit',
          text: INSERT_SQL,
          values: params,
        });
        if (timedOut) throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC);
        await client.query('commit');
        release(false);
        if (wokenLocally) this.tails!.wake(TAILED_TABLE);
        return result.rows;
      } catch (error) {
        release(true);
        if (SERVER_TIMEOUT_STATES.has((error as { code?: unknown }).code as string))
          throw new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
        throw error;
      }
    };
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(() => {
        timedOut = true;
        release(true);
        reject(new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC));
      }, ms);
    });
    const writing = write();
    // It may settle after the timeout has answered for it.
    writing.catch(() => undefined);
    try {
      return await Promise.race([writing, timeout]);
    } finally {
      clearTimeout(timer);
    }
  }

  private settle(group: readonly Submission[], inserted: Set<string>): void {
    const claimed = new Set<string>();
    let accepted = 0;
    let duplicate = 0;
    for (const s of group) {
      const outcomes = new Map<string, WriteOutcome>();
      for (const e of s.events) {
        const first = inserted.has(e.id) && !claimed.has(e.id);
        if (first) claimed.add(e.id);
        if (!outcomes.has(e.id)) outcomes.set(e.id, first ? 'accepted' : 'duplicate');
        if (first) accepted++;
        else duplicate++;
      }
      s.resolve(outcomes);
    }
    this.outcomes?.inc({ outcome: 'accepted' }, accepted);
    this.outcomes?.inc({ outcome: 'duplicate' }, duplicate);
  }

  private asFailure(error: unknown): unknown {
    if (error instanceof StorageUnavailableError) return error;
    if (isConnectionError(error))
      return new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, error);
    return error;
  }
}
