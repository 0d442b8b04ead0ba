/**
 * The measured phases against the service: per shape a closed-loop ramp to saturation, then
 * open-loop levels at a share of it; and the overload (150% of the single-event saturation,
 * then 50%, without a pause).
 */
import type pg from 'pg';
import { type Measures, measured } from '../lib/measure.ts';
import { type BenchSession } from '../lib/session.ts';
import { sleep } from '../lib/util.ts';
import { relayCaughtUp, type Checker } from './check.ts';
import { type Corpus } from './corpus.ts';
import {
  closedLoop,
  type Ledger,
  openLoop,
  openLoopSegments,
  openPool,
  type PhaseResult,
  ramp,
  SHAPES,
  SLOW_MS,
  type Target,
} from './load.ts';
import { type RelayWatcher } from './relay.ts';
import { type LevelResult, type Overload, type ShapeResult } from './report.ts';
import { type Settings } from './settings.ts';

/** What the phases run against and record into. */
export interface PhaseContext {
  readonly session: BenchSession;
  readonly settings: Settings;
  /** Reads the tables (correctness, relay progress). */
  readonly db: pg.Client;
  /** Reads the statistics around each phase. */
  readonly mon: pg.Client;
  readonly servicePid: number;
  readonly port: number;
  /** The service's origin, `http://127.0.0.1:<port>`. */
  readonly base: string;
  readonly target: Target;
  readonly corpus: Corpus;
  readonly ledger: Ledger;
  readonly watcher: RelayWatcher;
  readonly checker: Checker;
}

/** ` busy 62%, waited for a core 14%` (of the level's wall time), or ` –` without schedstat. */
function mainThreadText(m: Measures): string {
  return m.mainThread
    ? ` busy ${m.mainThread.busyPct}%, waited for a core ${m.mainThread.waitPct}%`
    : ' –';
}

export async function runShape(ctx: PhaseContext, name: string): Promise<ShapeResult> {
  const { session, settings, mon, servicePid, port, target, corpus, ledger, watcher } = ctx;
  const log = (line: string) => session.log(line);
  const shape = SHAPES[name];
  if (!shape) throw new Error(`unknown shape ${name} (known: ${Object.keys(SHAPES).join(', ')})`);
  log(`--- ${name}: closed-loop ramp`);
  const maxC = shape.size === 1 ? settings.maxClients.single : settings.maxClients.batch;
  const rampRun = await ramp(
    name,
    async (c) => {
      const m = await measured(
        mon,
        servicePid,
        port,
        () => closedLoop(target, corpus, shape, c, settings.rampStepSeconds, ledger),
        (r) => r.acceptedEvents,
      );
      return { ...m.result, measures: m.measures };
    },
    maxC,
    log,
  );
  const best = rampRun.best;
  log(`  saturation: ${best.rps} req/s, ${best.eventsPerSec} ev/s at c=${best.concurrency}`);
  const levels: LevelResult[] = [];
  for (const level of settings.levels) {
    const rate = Math.max(1, best.rps * level);
    const drainMs = await relayCaughtUp(ctx.db, watcher);
    const wallFrom = Date.now();
    const run = await measured(
      mon,
      servicePid,
      port,
      () =>
        openLoop(
          target,
          corpus,
          shape,
          rate,
          settings.openSeconds,
          ledger,
          settings.minOpenRequests,
        ),
      (r) => r.acceptedEvents,
      true,
    );
    const wallTo = Date.now();
    await watcher.waitFor(0, 0);
    await sleep(settings.relaySettleMs); // relay lag of the last events of the level
    const lag = watcher.lagBetween(wallFrom, wallTo);
    levels.push({
      ...run.result,
      level,
      measures: run.measures,
      relayLagMs: lag,
      relayBacklogDrainedBeforeMs: drainMs,
    });
    log(
      `  open ${Math.round(level * 100)}% (${Math.round(rate)} req/s): ${run.result.eventsPerSec} ev/s, p50 ${run.result.latency.p50} p99 ${run.result.latency.p99} p99.9 ${run.result.latency.p999} ms, codes ${JSON.stringify(run.result.codes)}, svc ${run.measures.cpuMsPer1kEvents.service} pg ${run.measures.cpuMsPer1kEvents.postgres} nats ${run.measures.cpuMsPer1kEvents.nats} ms/1k ev, WAL ${run.measures.walBytesPerEvent} B/ev, ${run.measures.pgTransactionsPer1kEvents} PG tx/1k ev, loop p99 ${run.measures.eventLoopP99Ms} max ${run.measures.eventLoopMaxMs} ms, main thread${mainThreadText(run.measures)}, group commit p99 ${run.measures.groupCommitP99Ms} ms (wait before it p99 ${run.measures.groupCommitWaitP99Ms} ms), server p99 ${run.measures.serverP99Ms} ms, generator late p99 ${run.result.sendLagP99Ms} ms, relay p99 ${lag.p99} ms (backlog drained ${drainMs} ms before)${stallText(run.result.slow)}`,
    );
  }
  const check = await ctx.checker.verify(name);
  log(
    `  correctness: ${check.pass ? 'PASS' : 'FAIL'} ${JSON.stringify({ missing: check.missing, faults: check.faults, stream: [check.streamMessages, check.tableRows], relayCatchUpMs: check.relayCatchUpMs })}`,
  );
  for (const ex of check.badExamples) log(`    ${ex}`);
  return { shape: name, ramp: rampRun.steps, saturation: best, levels, check };
}

/**
 * Overload: 150% of the single-event saturation, then 50% without a pause; per window of
 * intended send time. Through many connections (the server sees the overload instead of a
 * client-side queue).
 */
export async function runOverload(ctx: PhaseContext, single: ShapeResult): Promise<Overload> {
  const { session, settings, mon, servicePid, port, target, corpus, ledger } = ctx;
  const { overSeconds, afterSeconds, windowSeconds, connections } = settings.overloadShape;
  session.log(
    `--- overload: 150% of single-event saturation for ${overSeconds} s, then 50% for ${afterSeconds} s`,
  );
  const overPool = openPool(ctx.base, connections);
  const rps = single.saturation.rps;
  const run = await measured(
    mon,
    servicePid,
    port,
    () =>
      openLoopSegments(
        { ...target, pool: overPool },
        corpus,
        SHAPES.single,
        [
          { rate: rps * 1.5, seconds: overSeconds },
          { rate: rps * 0.5, seconds: afterSeconds },
        ],
        windowSeconds,
        ledger,
      ),
    (r) => r.total.acceptedEvents,
  );
  await overPool.close();
  const check = await ctx.checker.verify('overload');
  const recoveredAt = run.result.windows.find(
    (w) => w.fromSecond >= overSeconds && w.latency.p99 <= 50,
  )?.fromSecond;
  const overload: Overload = {
    offeredRps: { over: Math.round(rps * 1.5), after: Math.round(rps * 0.5) },
    total: { ...run.result.total, measures: run.measures },
    windows: run.result.windows,
    recoveredWithinSeconds:
      recoveredAt === undefined ? null : recoveredAt - overSeconds + windowSeconds,
    check,
  };
  for (const w of run.result.windows)
    session.log(
      `  t=${w.fromSecond}s offered ${Math.round(w.offeredRps ?? 0)} req/s: p50 ${w.latency.p50} p99 ${w.latency.p99} ms, codes ${JSON.stringify(w.codes)}`,
    );
  session.log(
    `  overload: peak RSS ${run.measures.servicePeakRssMiB} MiB, p99 ≤ 50 ms again ${overload.recoveredWithinSeconds ?? 'never'} s after; ${check.pass ? 'PASS' : 'FAIL'}`,
  );
  return overload;
}

/** `; slow (> 50 ms) 41: stalls 12:00:01.234 +3.2 s 180 ms 30 req max 140 ms, …` */
function stallText(slow: PhaseResult['slow']): string {
  if (!slow || slow.requests === 0) return '';
  const stalls = slow.stalls
    .map(
      (x) =>
        `${x.at.slice(11, 23)} (+${(x.offsetMs / 1000).toFixed(1)} s) ${x.spanMs} ms, ${x.requests} req, max ${x.maxMs} ms`,
    )
    .join('; ');
  return `; slow (> ${SLOW_MS} ms) ${slow.requests}, largest stalls: ${stalls}`;
}
