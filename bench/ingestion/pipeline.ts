/**
 * The pipeline phase (issue 18): ingestion with deployment-outcomes' rollups and feedback's
 * annotation consumer running as real processes (their executables, the benchmark's database
 * and bus namespace). For every event answered 202 it measures the lag until the interaction
 * rollup had applied it, for every annotation the lag until feedback had stored it; first under
 * a mix at 70% of the single-event saturation, then through a 150% burst followed by 70%, with
 * the rollup's backlog over time and how long it takes to catch up.
 *
 * How the lag is taken: the generator notes each accepted event's 202 time (`Ledger.onAccepted`),
 * the relay watcher each event's stream sequence in IHF_EVENTS (`RelayWatcher.onMessage`), and
 * a poller reads `deployment.rollup_watermarks` (the last stream sequence the rollup committed)
 * every `pollMs`. An event is applied at the first poll after its 202 whose watermark is at or
 * past its sequence: the rollup's consumer is ordered, so the watermark covers every message
 * below it. The lag is an upper bound, coarse by one poll interval (reported).
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import pg from 'pg';
import { Histogram } from '../lib/hdr.ts';
import { cpuMs } from '../lib/proc.ts';
import { freePort, repoRoot } from '../lib/session.ts';
import { round, sleep } from '../lib/util.ts';
import { type Check } from './check.ts';
import { type BenchHub } from './corpus.ts';
import {
  openPool,
  prepareMany,
  type Prepared,
  runSchedule,
  SHAPES,
  type Target,
  type Timed,
} from './load.ts';
import { type PhaseContext } from './phases.ts';
import { type ShapeResult } from './report.ts';

type Summary = ReturnType<Histogram['summary']>;

/** Share of the 70% (in events/s) sent as single events; the rest in batches of 50. */
const SINGLE_SHARE = 0.8;
/** Annotations per single-event request. */
const ANNOTATION_SHARE = 0.02;
const LAG_TARGET_MS = 2000;
const CATEGORIES = ['friction', 'bug', 'idea', 'question', 'praise'] as const;
const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;

export interface PipelineWindow {
  /** Start of the window, seconds after the burst began (by 202 time for lag and backlog). */
  readonly fromSecond: number;
  /** Events answered 202 in the window. */
  readonly acknowledged: number;
  /** 202 → rollup lag of those events. */
  readonly lagMs: Summary;
  /** Events acknowledged but not yet in the rollup: the most seen at a poll in the window, and at its end. */
  readonly backlogMax: number;
  readonly backlogEnd: number;
  /** Answers of the requests whose intended send time is in the window. */
  readonly codes: Record<string, number>;
}

export interface PipelineCheck {
  readonly shape: 'pipeline';
  /** The ingestion checks (acked stored once, faults, stream = table) after the phase. */
  readonly ingestion: Check;
  readonly storedEvents: number;
  /** Sum of `interaction_rollups.events` (per minute) and of the hourly sums, the benchmark's hubs. */
  readonly rollupEvents: number;
  readonly rollupHourlyEvents: number;
  readonly watermarkApplied: number;
  readonly watermarkSkipped: number;
  readonly rollupMatches: boolean;
  readonly annotationsAccepted: number;
  /** Of the accepted annotation ids, how many feedback stored; rows it holds beyond them. */
  readonly annotationsStored: number;
  readonly annotationsExtra: number;
  readonly annotationsMatch: boolean;
  readonly pass: boolean;
}

export interface PipelineResult {
  readonly offered: {
    readonly eventsPerSec: number;
    readonly singleRps: number;
    readonly batch50Rps: number;
    readonly annotationRps: number;
    readonly basis: string;
  };
  readonly services: {
    /** Spawn of both services until both answered /health/ready (migrations included). */
    readonly startMs: number;
    /** Events of the earlier phases the rollup applied before the load began, and how long it took. */
    readonly backlogEvents: number;
    readonly backlogAppliedMs: number;
    readonly rollupBatch: number;
  };
  /** Intervals between watermark readings (the lag's resolution). */
  readonly pollIntervalMs: { readonly target: number; readonly p50: number; readonly max: number };
  /**
   * Intervals between the watermark's moves during the 70% mix (each move is a committed
   * batch): how often the rollup commits, as seen by the readings.
   */
  readonly watermarkMoveIntervalMs: {
    readonly p50: number;
    readonly p90: number;
    readonly max: number;
  };
  readonly steady: {
    readonly seconds: number;
    readonly requests: number;
    readonly codes: Record<string, number>;
    readonly ackLatencyMs: { readonly single: Summary; readonly batch50: Summary };
    readonly acknowledged: number;
    readonly lagMs: Summary;
    readonly notApplied: number;
    readonly backlogMax: number;
    readonly annotations: {
      readonly sent: number;
      readonly accepted: number;
      readonly codes: Record<string, number>;
      readonly ackLatencyMs: Summary;
      /** 202 → feedback's row, polled every 50 ms. */
      readonly lagMs: Summary;
      readonly notStored: number;
    };
  };
  readonly burst: {
    readonly offeredRps: { readonly over: number; readonly after: number };
    readonly overSeconds: number;
    readonly afterSeconds: number;
    readonly windowSeconds: number;
    readonly codes: Record<string, number>;
    readonly acknowledged: number;
    readonly lagMs: Summary;
    readonly notApplied: number;
    readonly windows: PipelineWindow[];
    /** After the burst's end, the end of the first window from which every window's lag p99 < 2 s. */
    readonly caughtUpWithinSeconds: number | null;
    /**
     * "About 0" for a rollup that commits a batch per fetch: what a 2 s lag means at 70% (Little's
     * law: backlog = arrival rate × lag), i.e. 2 s of the 70% rate.
     */
    readonly backlogBound: number;
    /** After the burst's end, the poll from which the backlog stayed at or below `backlogBound`. */
    readonly backlogBackWithinSeconds: number | null;
  };
  /** CPU per 1,000 events acknowledged in the phase, of each service process. */
  readonly cpuMsPer1kEvents: {
    readonly ingestion: number;
    readonly deploymentOutcomes: number;
    readonly feedback: number;
  };
  readonly check: PipelineCheck;
}

interface Poll {
  readonly t: number;
  readonly seq: number;
  readonly applied: number;
  readonly skipped: number;
}

/** Reads the interaction rollup's watermark every `everyMs` until stopped. */
class WatermarkPoller {
  readonly polls: Poll[] = [];
  private stopped = false;
  private loop?: Promise<void>;
  private readonly db: pg.Client;
  private readonly everyMs: number;

  constructor(db: pg.Client, everyMs: number) {
    this.db = db;
    this.everyMs = everyMs;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const { rows } = await this.db.query<{ seq: string; applied: string; skipped: string }>(
          `select stream_seq::text as seq, applied::text as applied, skipped::text as skipped
           from deployment.rollup_watermarks where feed = 'interactions'`,
        );
        const r = rows[0];
        // Taken after the answer: the watermark was at least this by then (upper bound).
        this.polls.push({
          t: Date.now(),
          seq: Number(r?.seq ?? 0),
          applied: Number(r?.applied ?? 0),
          skipped: Number(r?.skipped ?? 0),
        });
        await sleep(this.everyMs);
      }
    })();
  }

  get last(): Poll | undefined {
    return this.polls[this.polls.length - 1];
  }

  /** Waits until the rollup has applied `count` events (or `timeoutMs`); returns the ms. */
  async waitApplied(count: number, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while ((this.last?.applied ?? 0) < count && Date.now() - start < timeoutMs) await sleep(50);
    return Date.now() - start;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/** Polls feedback's table for the accepted annotations not seen there yet. */
class AnnotationPoller {
  /** Annotation id → its 202 time; → the first poll that saw its row. */
  readonly acked = new Map<string, number>();
  /** Accepted during the warm-up: checked, not in the lag. */
  readonly warmUp = new Set<string>();
  readonly seen = new Map<string, number>();
  private stopped = false;
  private loop?: Promise<void>;
  private readonly db: pg.Client;

  constructor(db: pg.Client) {
    this.db = db;
  }

  start(): void {
    this.loop = (async () => {
      while (!this.stopped) {
        const pending = [...this.acked.keys()].filter((id) => !this.seen.has(id));
        if (pending.length) {
          const { rows } = await this.db.query<{ id: string }>(
            'select id::text as id from feedback.annotations where id = any($1::uuid[])',
            [pending],
          );
          const now = Date.now();
          for (const r of rows) this.seen.set(r.id, now);
        }
        await sleep(50);
      }
    })();
  }

  async waitAll(timeoutMs: number): Promise<void> {
    const start = Date.now();
    while (this.seen.size < this.acked.size && Date.now() - start < timeoutMs) await sleep(50);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    await this.loop;
  }
}

/**
 * Open-loop annotations through ingestion's `POST /api/v1/annotations` (round-robin over the
 * hubs and their widgets), each accepted one's 202 time into `poller.acked`.
 */
async function annotationLoad(
  target: Target,
  hubs: readonly BenchHub[],
  rate: number,
  count: number,
  poller: AnnotationPoller,
  warmUp: boolean,
): Promise<{ sent: number; codes: Record<string, number>; latency: Summary }> {
  const hist = new Histogram();
  const codes: Record<string, number> = {};
  const pending: Promise<void>[] = [];
  const t0 = performance.now();
  for (let i = 0; i < count; i++) {
    const intended = t0 + (i * 1000) / rate;
    const wait = intended - performance.now();
    if (wait > 1) await sleep(wait);
    const hubIndex = i % hubs.length;
    const hub = hubs[hubIndex];
    const id = randomUUID();
    const body = JSON.stringify({
      id,
      hub_id: hub.id,
      widget_id: hub.widgets[(i * 7) % hub.widgets.length],
      body: `Benchmark annotation ${i}: the form loses what was typed when the page reloads.`,
      category: CATEGORIES[i % CATEGORIES.length],
      severity: SEVERITIES[i % SEVERITIES.length],
    });
    pending.push(
      (async () => {
        let code: string;
        try {
          const res = await target.pool.request({
            path: '/api/v1/annotations',
            method: 'POST',
            headers: {
              authorization: `Bearer ${target.keys[hubIndex]}`,
              'content-type': 'application/json',
            },
            body,
          });
          code = String(res.statusCode);
          const answer = (await res.body.json()) as { status?: string };
          if (res.statusCode === 202 && answer.status === 'accepted') {
            poller.acked.set(id, Date.now());
            if (warmUp) poller.warmUp.add(id);
          }
        } catch (error) {
          code = `error:${(error as { code?: string }).code ?? 'unknown'}`;
        }
        hist.record((performance.now() - intended) * 1000);
        codes[code] = (codes[code] ?? 0) + 1;
      })(),
    );
  }
  await Promise.all(pending);
  return { sent: count, codes, latency: hist.summary() };
}

/** First index of a nondecreasing `xs` with a value ≥ `v` (xs.length when none). */
function lowerBound(xs: ArrayLike<number>, v: number): number {
  let lo = 0;
  let hi = xs.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (xs[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

/** Count of a sorted `xs` with a value ≤ `v`. */
const countAtMost = (xs: ArrayLike<number>, v: number): number => lowerBound(xs, v + 1e-9);

interface Applied {
  /** 202 time and applied time (Infinity: not applied) of each acknowledged event. */
  readonly at202: Float64Array;
  readonly atApplied: Float64Array;
  readonly notApplied: number;
}

/** When the rollup applied each acknowledged event: the first poll after its 202 covering its sequence. */
function appliedTimes(
  acked: ReadonlyMap<string, number>,
  seqOf: ReadonlyMap<string, number>,
  polls: readonly Poll[],
): Applied {
  const pt = Float64Array.from(polls, (p) => p.t);
  const ps = Float64Array.from(polls, (p) => p.seq);
  const at202 = new Float64Array(acked.size);
  const atApplied = new Float64Array(acked.size);
  let i = 0;
  let notApplied = 0;
  for (const [id, t202] of acked) {
    const seq = seqOf.get(id);
    const k = seq === undefined ? pt.length : Math.max(lowerBound(ps, seq), lowerBound(pt, t202));
    at202[i] = t202;
    atApplied[i] = k < pt.length ? pt[k] : Infinity;
    if (k >= pt.length) notApplied++;
    i++;
  }
  return { at202, atApplied, notApplied };
}

function lagSummary(a: Applied, from = -Infinity, to = Infinity): Summary {
  const h = new Histogram();
  for (let i = 0; i < a.at202.length; i++) {
    const t = a.at202[i];
    if (t >= from && t < to && a.atApplied[i] !== Infinity) h.record((a.atApplied[i] - t) * 1000);
  }
  return h.summary();
}

/** Backlog (acknowledged, not yet applied) at time `t`, from the sorted times. */
function backlogAt(sorted202: Float64Array, sortedApplied: Float64Array, t: number): number {
  return Math.max(0, countAtMost(sorted202, t) - countAtMost(sortedApplied, t));
}

function sortedTimes(a: Applied): { s202: Float64Array; sApplied: Float64Array } {
  return { s202: a.at202.slice().sort(), sApplied: a.atApplied.slice().sort() };
}

const countCodes = (timed: readonly Timed[]): Record<string, number> => {
  const codes: Record<string, number> = {};
  for (const t of timed) codes[t.outcome.code] = (codes[t.outcome.code] ?? 0) + 1;
  return codes;
};

const latencyOf = (timed: readonly Timed[]): Summary => {
  const h = new Histogram();
  for (const t of timed) h.record(t.latencyMs * 1000);
  return h.summary();
};

/**
 * Runs the pipeline phase after the shapes (and the overload): starts deployment-outcomes and
 * feedback, lets the rollup apply the earlier phases' events, then the 70% mix and the burst;
 * stops both services at the end.
 */
export async function runPipeline(
  ctx: PhaseContext,
  single: ShapeResult,
  env: { hubs: readonly BenchHub[]; jwksUrl: string },
): Promise<PipelineResult> {
  const { session, settings, db, target, corpus, ledger, watcher } = ctx;
  const shape = settings.pipelineShape;
  const log = (line: string) => session.log(line);
  const rate = single.saturation.rps * 0.7;
  const offered = {
    eventsPerSec: Math.round(rate),
    singleRps: round(rate * SINGLE_SHARE, 1),
    batch50Rps: round((rate * (1 - SINGLE_SHARE)) / 50, 2),
    annotationRps: round(Math.max(1, rate * SINGLE_SHARE * ANNOTATION_SHARE), 2),
    basis: `70% of the single-event saturation (${single.saturation.rps} req/s) in events/s: ${SINGLE_SHARE * 100}% as single events, the rest in batches of 50; plus annotations at ${ANNOTATION_SHARE * 100}% of the single-event requests`,
  };
  log(
    `--- pipeline: deployment-outcomes' rollups and feedback's annotation consumer running; ${offered.eventsPerSec} events/s (${offered.singleRps} single req/s + ${offered.batch50Rps} batch50 req/s) + ${offered.annotationRps} annotations/s for ${settings.openSeconds} s, then ${shape.burstSeconds} s at 150% and ${shape.afterSeconds} s at 70% (single)`,
  );
  const serviceEnv = {
    DATABASE_URL: session.dbUrl(),
    NATS_URL: session.natsUrl,
    IHF_NATS_NAMESPACE: session.namespace,
    IHF_JWKS_URL: env.jwksUrl,
    HOST: '127.0.0.1',
    LOG_LEVEL: 'warn',
    SHUTDOWN_GRACE_MS: '500',
  };
  const resolve = createRequire(join(repoRoot, 'package.json')).resolve;
  const spawnedAt = Date.now();
  const [doPort, fbPort] = [await freePort(), await freePort()];
  const [dep, fb] = await Promise.all([
    session.startProcess(
      'deployment-outcomes',
      [resolve('@ihf/deployment-outcomes-service')],
      { ...serviceEnv, PORT: String(doPort) },
      doPort,
    ),
    session.startProcess(
      'feedback',
      [resolve('@ihf/feedback-service/main')],
      { ...serviceEnv, PORT: String(fbPort) },
      fbPort,
    ),
  ]);
  const startMs = Date.now() - spawnedAt;
  const wmDb = new pg.Client({ connectionString: session.dbUrl() });
  const fbDb = new pg.Client({ connectionString: session.dbUrl() });
  for (const c of [wmDb, fbDb]) {
    c.on('error', (error) => {
      if (!session.interrupted) log(`pipeline session error: ${String(error)}`);
    });
    await c.connect();
  }
  const storedCount = async () =>
    Number(
      (
        await db.query<{ n: string }>(
          'select count(*)::text as n from ingestion.interaction_events',
        )
      ).rows[0].n,
    );
  // Requests the client gave up on (time-outs in the burst) can still be committed seconds
  // later: the checks count the table once nothing more arrives.
  const settledCount = async () => {
    let last = await storedCount();
    const start = Date.now();
    for (let still = 0; still < 3 && Date.now() - start < 60_000;) {
      await sleep(500);
      const n = await storedCount();
      still = n === last ? still + 1 : 0;
      last = n;
    }
    return last;
  };
  const wm = new WatermarkPoller(wmDb, shape.pollMs);
  const annotations = new AnnotationPoller(fbDb);
  const overPool = openPool(ctx.base, shape.connections);
  try {
    wm.start();
    annotations.start();
    const backlogEvents = await storedCount();
    const backlogAppliedMs = await wm.waitApplied(backlogEvents, 600_000);
    log(
      `  services ready in ${startMs} ms; the rollup applied the earlier phases' ${backlogEvents} events in ${backlogAppliedMs} ms`,
    );

    // The mix at 70%: single events and batches of 50 in one schedule, annotations beside it.
    const mixFor = async (seconds: number, warmUp: boolean) => {
      const nSingle = Math.max(settings.minOpenRequests, Math.round(offered.singleRps * seconds));
      const nBatch = Math.max(2, Math.round(offered.batch50Rps * seconds));
      const singles = await prepareMany(corpus, SHAPES.single, nSingle);
      const batches = await prepareMany(corpus, SHAPES.batch50, nBatch);
      const plan: { at: number; req: Prepared }[] = [
        ...singles.map((req, i) => ({ at: (i * seconds * 1000) / nSingle, req })),
        ...batches.map((req, i) => ({ at: (i * seconds * 1000) / nBatch, req })),
      ].sort((a, b) => a.at - b.at);
      const nAnnotations = Math.max(5, Math.round(offered.annotationRps * seconds));
      const [mix, ann] = await Promise.all([
        runSchedule(
          target,
          plan.map((p) => p.req),
          plan.map((p) => p.at),
          ledger,
          corpus,
        ),
        annotationLoad(target, env.hubs, nAnnotations / seconds, nAnnotations, annotations, warmUp),
      ]);
      const stored = await storedCount();
      await wm.waitApplied(stored, 300_000);
      await watcher.waitFor(stored, 60_000);
      await annotations.waitAll(60_000);
      return { mix, ann };
    };
    // Fresh processes: their first seconds (JIT, pools) are not what a running pipeline does.
    await mixFor(settings.warmUpSeconds, true);

    // Each event's stream sequence and 202 time, for this phase only.
    const seqOf = new Map<string, number>();
    watcher.onMessage = (id, seq) => seqOf.set(id, seq);
    let acked = new Map<string, number>();
    ledger.onAccepted = (id) => acked.set(id, Date.now());
    const cpu0 = [cpuMs(ctx.servicePid), cpuMs(dep.pid!), cpuMs(fb.pid!)];

    // (a) The mix at 70% for the level duration.
    const steadyFrom = Date.now();
    const { mix, ann } = await mixFor(settings.openSeconds, false);
    const steadyAcked = acked;
    const steadyTo = Date.now();

    // (b) 150% of the single-event saturation, then 70%, single events, many connections.
    acked = new Map<string, number>();
    const over = single.saturation.rps * 1.5;
    const after = single.saturation.rps * 0.7;
    const offsets: number[] = [];
    for (let i = 0; i < Math.round(over * shape.burstSeconds); i++) offsets.push((i * 1000) / over);
    for (let i = 0; i < Math.round(after * shape.afterSeconds); i++)
      offsets.push(shape.burstSeconds * 1000 + (i * 1000) / after);
    const burstReqs = await prepareMany(corpus, SHAPES.single, offsets.length);
    // runSchedule starts its clock 5 ms after it is called.
    const burstT0 = Date.now() + 5;
    const burstRun = await runSchedule(
      { ...target, pool: overPool },
      burstReqs,
      offsets,
      ledger,
      corpus,
    );
    const stored = await settledCount();
    await wm.waitApplied(stored, 300_000);
    await watcher.waitFor(stored, 60_000);
    await sleep(4 * shape.pollMs); // a last reading past the end
    const cpu1 = [cpuMs(ctx.servicePid), cpuMs(dep.pid!), cpuMs(fb.pid!)];
    ledger.onAccepted = undefined;
    watcher.onMessage = undefined;
    await wm.stop();
    await annotations.stop();

    // ------------------------------------------------------------ figures
    const polls = wm.polls;
    const intervals = new Histogram();
    for (let i = 1; i < polls.length; i++) intervals.record((polls[i].t - polls[i - 1].t) * 1000);
    const moves = new Histogram();
    let lastMove: number | undefined;
    for (let i = 1; i < polls.length; i++) {
      const p = polls[i];
      if (p.t < steadyFrom || p.t > steadyTo || p.seq === polls[i - 1].seq) continue;
      if (lastMove !== undefined) moves.record((p.t - lastMove) * 1000);
      lastMove = p.t;
    }
    const steadyApplied = appliedTimes(steadyAcked, seqOf, polls);
    const steadySorted = sortedTimes(steadyApplied);
    let steadyBacklogMax = 0;
    for (const p of polls)
      if (p.t >= steadyFrom && p.t <= steadyTo)
        steadyBacklogMax = Math.max(
          steadyBacklogMax,
          backlogAt(steadySorted.s202, steadySorted.sApplied, p.t),
        );
    const annLag = new Histogram();
    for (const [id, t] of annotations.acked) {
      if (annotations.warmUp.has(id)) continue;
      const seen = annotations.seen.get(id);
      if (seen !== undefined) annLag.record(Math.max(0, seen - t) * 1000);
    }
    const burstApplied = appliedTimes(acked, seqOf, polls);
    const burstSorted = sortedTimes(burstApplied);
    const ws = shape.windowSeconds * 1000;
    const last202 = burstSorted.s202.length ? burstSorted.s202[burstSorted.s202.length - 1] : 0;
    const scheduleMs = (shape.burstSeconds + shape.afterSeconds) * 1000;
    const nWindows = Math.ceil(Math.max(scheduleMs, last202 - burstT0 + 1) / ws);
    const windows: PipelineWindow[] = [];
    for (let w = 0; w < nWindows; w++) {
      const from = burstT0 + w * ws;
      let backlogMax = 0;
      for (const p of polls)
        if (p.t >= from && p.t < from + ws)
          backlogMax = Math.max(backlogMax, backlogAt(burstSorted.s202, burstSorted.sApplied, p.t));
      const lag = lagSummary(burstApplied, from, from + ws);
      windows.push({
        fromSecond: (w * ws) / 1000,
        acknowledged: lag.n,
        lagMs: lag,
        backlogMax,
        backlogEnd: backlogAt(burstSorted.s202, burstSorted.sApplied, from + ws),
        codes: countCodes(
          burstRun.timed.filter((t) => t.intended >= w * ws && t.intended < (w + 1) * ws),
        ),
      });
    }
    const afterBurst = windows.filter((w) => w.fromSecond >= shape.burstSeconds);
    let caughtUp: PipelineWindow | undefined;
    for (const w of afterBurst) {
      if (w.acknowledged > 0 && w.lagMs.p99 >= LAG_TARGET_MS) caughtUp = undefined;
      else if (w.acknowledged > 0 && !caughtUp) caughtUp = w;
    }
    const burstEnd = burstT0 + shape.burstSeconds * 1000;
    const backlogBound = Math.round((after * LAG_TARGET_MS) / 1000);
    // The poll after the last one (past the burst) whose backlog was above the bound.
    let back: Poll | undefined;
    for (const p of polls) {
      if (p.t < burstEnd) continue;
      if (backlogAt(burstSorted.s202, burstSorted.sApplied, p.t) > backlogBound) back = undefined;
      else back ??= p;
    }
    const eventsAcked = steadyAcked.size + acked.size;
    const per1k = (ms: number) => (eventsAcked ? round((ms / eventsAcked) * 1000, 1) : 0);
    const mixTimed = mix.timed;
    const result: Omit<PipelineResult, 'check'> = {
      offered,
      services: {
        startMs,
        backlogEvents,
        backlogAppliedMs,
        // The service's default unless set in the benchmark's environment (which it inherits).
        rollupBatch: Number(process.env.DEPLOYMENT_ROLLUP_BATCH ?? 2000),
      },
      pollIntervalMs: {
        target: shape.pollMs,
        p50: intervals.summary().p50,
        max: intervals.summary().max,
      },
      watermarkMoveIntervalMs: {
        p50: moves.summary().p50,
        p90: moves.summary().p90,
        max: moves.summary().max,
      },
      steady: {
        seconds: settings.openSeconds,
        requests: mixTimed.length,
        codes: countCodes(mixTimed),
        ackLatencyMs: {
          single: latencyOf(mixTimed.filter((t) => t.outcome.events === 1)),
          batch50: latencyOf(mixTimed.filter((t) => t.outcome.events > 1)),
        },
        acknowledged: steadyAcked.size,
        lagMs: lagSummary(steadyApplied),
        notApplied: steadyApplied.notApplied,
        backlogMax: steadyBacklogMax,
        annotations: {
          sent: ann.sent,
          accepted: annotations.acked.size - annotations.warmUp.size,
          codes: ann.codes,
          ackLatencyMs: ann.latency,
          lagMs: annLag.summary(),
          notStored: [...annotations.acked.keys()].filter(
            (id) => !annotations.warmUp.has(id) && !annotations.seen.has(id),
          ).length,
        },
      },
      burst: {
        offeredRps: { over: Math.round(over), after: Math.round(after) },
        overSeconds: shape.burstSeconds,
        afterSeconds: shape.afterSeconds,
        windowSeconds: shape.windowSeconds,
        codes: countCodes(burstRun.timed),
        acknowledged: acked.size,
        lagMs: lagSummary(burstApplied),
        notApplied: burstApplied.notApplied,
        windows,
        caughtUpWithinSeconds: caughtUp
          ? caughtUp.fromSecond + shape.windowSeconds - shape.burstSeconds
          : null,
        backlogBound,
        backlogBackWithinSeconds: back ? round((back.t - burstEnd) / 1000, 2) : null,
      },
      cpuMsPer1kEvents: {
        ingestion: per1k(cpu1[0] - cpu0[0]),
        deploymentOutcomes: per1k(cpu1[1] - cpu0[1]),
        feedback: per1k(cpu1[2] - cpu0[2]),
      },
    };
    const s = result.steady;
    log(
      `  70% mix: ${s.acknowledged} events acknowledged, codes ${JSON.stringify(s.codes)}, 202 p99 single ${s.ackLatencyMs.single.p99} / batch50 ${s.ackLatencyMs.batch50.p99} ms; lag 202 → rollup p50 ${s.lagMs.p50} p90 ${s.lagMs.p90} p99 ${s.lagMs.p99} max ${s.lagMs.max} ms (${s.notApplied} not applied), backlog at most ${s.backlogMax}; annotations ${s.annotations.accepted}/${s.annotations.sent} accepted, lag 202 → feedback p50 ${s.annotations.lagMs.p50} p99 ${s.annotations.lagMs.p99} max ${s.annotations.lagMs.max} ms`,
    );
    for (const w of windows)
      log(
        `  burst t=${w.fromSecond}s: ${w.acknowledged} acked, lag p50 ${w.lagMs.p50} p99 ${w.lagMs.p99} ms, backlog max ${w.backlogMax} end ${w.backlogEnd}, codes ${JSON.stringify(w.codes)}`,
      );
    log(
      `  burst: lag p99 < 2 s again ${result.burst.caughtUpWithinSeconds ?? 'never'} s after it; backlog back under ${backlogBound} (2 s of 70%) ${result.burst.backlogBackWithinSeconds ?? 'never'} s after; CPU ms/1k ev: ingestion ${result.cpuMsPer1kEvents.ingestion}, deployment-outcomes ${result.cpuMsPer1kEvents.deploymentOutcomes}, feedback ${result.cpuMsPer1kEvents.feedback}; watermark read every ${result.pollIntervalMs.p50} ms (p50), ${result.pollIntervalMs.max} ms at most, moved every ${result.watermarkMoveIntervalMs.p50} ms (p50) during the 70% mix`,
    );
    const check = await pipelineCheck(ctx, env.hubs, wmDb, annotations);
    log(
      `  pipeline correctness: ${check.pass ? 'PASS' : 'FAIL'} ${JSON.stringify({ stored: check.storedEvents, rollup: check.rollupEvents, hourly: check.rollupHourlyEvents, watermark: check.watermarkApplied, skipped: check.watermarkSkipped, annotations: [check.annotationsAccepted, check.annotationsStored, check.annotationsExtra], ingestion: check.ingestion.pass })}`,
    );
    return { ...result, check };
  } finally {
    ledger.onAccepted = undefined;
    watcher.onMessage = undefined;
    await wm.stop().catch(() => undefined);
    await annotations.stop().catch(() => undefined);
    await overPool.close();
    await wmDb.end();
    await fbDb.end();
    // Not running during the baselines.
    await session.stopProcess('deployment-outcomes');
    await session.stopProcess('feedback');
  }
}

/**
 * After the phase: the ingestion checks; the rollup's counts (per minute and per hour, the
 * benchmark's hubs) and its watermark equal the events stored; every accepted annotation is in
 * feedback once (its primary key), and nothing else is.
 */
async function pipelineCheck(
  ctx: PhaseContext,
  hubs: readonly BenchHub[],
  db: pg.Client,
  annotations: AnnotationPoller,
): Promise<PipelineCheck> {
  const ingestion = await ctx.checker.verify('pipeline');
  const hubIds = hubs.map((h) => h.id);
  const sum = async (table: string) =>
    Number(
      (
        await db.query<{ n: string }>(
          `select coalesce(sum(events), 0)::text as n from deployment.${table} where hub_id = any($1::uuid[])`,
          [hubIds],
        )
      ).rows[0].n,
    );
  const rollupEvents = await sum('interaction_rollups');
  const rollupHourlyEvents = await sum('interaction_rollups_hourly');
  const wm = (
    await db.query<{ applied: string; skipped: string }>(
      `select applied::text as applied, skipped::text as skipped from deployment.rollup_watermarks where feed = 'interactions'`,
    )
  ).rows[0];
  const ids = [...annotations.acked.keys()];
  const ann = (
    await db.query<{ ours: string; all: string }>(
      `select count(*) filter (where id = any($1::uuid[]))::text as ours, count(*)::text as all
       from feedback.annotations`,
      [ids],
    )
  ).rows[0];
  const storedEvents = ingestion.tableRows;
  const watermarkApplied = Number(wm?.applied ?? 0);
  const rollupMatches =
    rollupEvents === storedEvents &&
    rollupHourlyEvents === storedEvents &&
    watermarkApplied === storedEvents;
  const annotationsStored = Number(ann.ours);
  const annotationsExtra = Number(ann.all) - annotationsStored;
  const annotationsMatch = annotationsStored === ids.length && annotationsExtra === 0;
  return {
    shape: 'pipeline',
    ingestion,
    storedEvents,
    rollupEvents,
    rollupHourlyEvents,
    watermarkApplied,
    watermarkSkipped: Number(wm?.skipped ?? 0),
    rollupMatches,
    annotationsAccepted: ids.length,
    annotationsStored,
    annotationsExtra,
    annotationsMatch,
    pass: ingestion.pass && rollupMatches && annotationsMatch,
  };
}
