/** Correctness of an ingestion benchmark run, checked after each phase (pass/fail). */
import type pg from 'pg';
import { type JetStreamManager } from '@nats-io/jetstream';
import { type Ledger } from './load.ts';
import { type RelayWatcher } from './relay.ts';

/** Waits (at most 60 s) until the relay has delivered every stored event; returns the ms. */
export async function relayCaughtUp(db: pg.Client, watcher: RelayWatcher): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'select count(*)::text as n from ingestion.interaction_events',
  );
  return watcher.waitFor(Number(rows[0].n), 60_000);
}

export interface Check {
  readonly shape: string;
  readonly ackedStored: boolean;
  readonly missing: number;
  readonly storedUnacknowledged: number;
  readonly exactlyOnce: boolean;
  readonly faultsRefusedRight: boolean;
  readonly faults: Ledger['faults'];
  readonly badExamples: string[];
  readonly streamMatches: boolean;
  readonly streamMessages: number;
  readonly tableRows: number;
  readonly streamMissing: number;
  readonly streamExtra: number;
  readonly streamDuplicates: number;
  readonly relayCatchUpMs: number;
  readonly pass: boolean;
}

/**
 * The correctness check after each shape and after the overload: every event acknowledged
 * `accepted` is stored once, every planted fault got its answer, the stream = the table. Reads
 * the table incrementally (rows after the last `tail_seq` seen).
 */
export class Checker {
  private readonly tableIds = new Set<string>();
  private lastSeq = '0';

  private readonly db: pg.Client;
  private readonly ledger: Ledger;
  private readonly watcher: RelayWatcher;
  private readonly streamName: string;
  private readonly jsm: JetStreamManager;

  constructor(
    db: pg.Client,
    ledger: Ledger,
    watcher: RelayWatcher,
    streamName: string,
    jsm: JetStreamManager,
  ) {
    this.db = db;
    this.ledger = ledger;
    this.watcher = watcher;
    this.streamName = streamName;
    this.jsm = jsm;
  }

  async verify(shape: string): Promise<Check> {
    const { rows } = await this.db.query<{ n: string; d: string }>(
      'select count(*)::text as n, count(distinct id)::text as d from ingestion.interaction_events',
    );
    const tableRows = Number(rows[0].n);
    const catchUp = await this.watcher.waitFor(tableRows, 60_000);
    const fresh = await this.db.query<{ id: string; seq: string }>(
      'select id::text as id, tail_seq::text as seq from ingestion.interaction_events where tail_seq > $1 order by tail_seq',
      [this.lastSeq],
    );
    for (const r of fresh.rows) this.tableIds.add(r.id);
    if (fresh.rows.length > 0) this.lastSeq = fresh.rows[fresh.rows.length - 1].seq;
    let missing = 0;
    for (const id of this.ledger.accepted) if (!this.tableIds.has(id)) missing++;
    let unacked = 0;
    for (const id of this.tableIds) if (!this.ledger.accepted.has(id)) unacked++;
    let streamMissing = 0;
    for (const id of this.tableIds) if (!this.watcher.ids.has(id)) streamMissing++;
    let streamExtra = 0;
    for (const id of this.watcher.ids) if (!this.tableIds.has(id)) streamExtra++;
    const info = await this.jsm.streams.info(this.streamName);
    const faultsOk = Object.entries(this.ledger.faults).every(([, v]) => v.bad === 0);
    const streamMatches =
      info.state.messages === tableRows &&
      streamMissing === 0 &&
      streamExtra === 0 &&
      this.watcher.duplicates === 0;
    const exactlyOnce = rows[0].n === rows[0].d && this.ledger.acceptedTwice === 0;
    return {
      shape,
      ackedStored: missing === 0,
      missing,
      storedUnacknowledged: unacked,
      exactlyOnce,
      faultsRefusedRight: faultsOk,
      faults: structuredClone(this.ledger.faults),
      badExamples: [...this.ledger.badExamples],
      streamMatches,
      streamMessages: info.state.messages,
      tableRows,
      streamMissing,
      streamExtra,
      streamDuplicates: this.watcher.duplicates,
      relayCatchUpMs: catchUp,
      pass: missing === 0 && exactlyOnce && faultsOk && streamMatches,
    };
  }
}
