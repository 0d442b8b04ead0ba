/**
 * What a phase costs: CPU of the service under test, Postgres and nats-server per 1,000
 * events (from /proc), WAL bytes, Postgres transactions, the service's event-loop delay and
 * group-commit histograms (from its /metrics), and its RSS.
 */
import type pg from 'pg';
import { cpuDelta, cpuSnapshot, rssMiB, type CpuUse } from './proc.ts';
import { round, sleep } from './util.ts';

export interface Measures {
  readonly cpuMsPer1kEvents: {
    service: number | null;
    postgres: number | null;
    nats: number | null;
    bench: number | null;
  };
  readonly walBytesPerEvent: number | null;
  /** Transactions committed in the benchmark's database per 1,000 events (pg_stat_database). */
  readonly pgTransactionsPer1kEvents: number | null;
  readonly eventLoopP99Ms: number | null;
  /** The longest event-loop delay of the phase (one long block barely moves the p99). */
  readonly eventLoopMaxMs?: number | null;
  /** p99 of the group commit statements and of the wait before them (bucket upper bounds). */
  readonly groupCommitP99Ms?: number | null;
  readonly groupCommitWaitP99Ms?: number | null;
  /**
   * p99 of the reporting requests' duration as the service measured it (from its request hook
   * to its response, bucket upper bound): against the client's p99, where a tail comes from.
   */
  readonly serverP99Ms?: number | null;
  /**
   * The service's main thread (its event loop) over the phase, in % of wall time: how long it
   * ran, and how long it was runnable but waited for a core (the cores are shared with
   * Postgres, NATS and the load generator; such waits stretch every request in flight).
   */
  readonly mainThread?: { busyPct: number; waitPct: number } | null;
  readonly serviceRssMiB: number;
  readonly servicePeakRssMiB: number;
}

async function walLsn(db: pg.Client): Promise<string> {
  return (await db.query<{ lsn: string }>('select pg_current_wal_lsn()::text as lsn')).rows[0].lsn;
}

async function walDiff(db: pg.Client, a: string, b: string): Promise<number> {
  const { rows } = await db.query<{ d: string }>('select pg_wal_lsn_diff($2, $1)::text as d', [
    a,
    b,
  ]);
  return Number(rows[0].d);
}

/**
 * The cumulative buckets (le → count) of a histogram in a /metrics text, summed over its
 * series (only those whose labels contain `only`, when given).
 */
function histogramBuckets(text: string, name: string, only?: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}_bucket\\{([^}]*)\\}\\s+(\\S+)`, 'gm');
  for (const m of text.matchAll(re)) {
    if (only && !m[1].includes(only)) continue;
    const le = /le="([^"]+)"/.exec(m[1])?.[1];
    if (le) out.set(le, (out.get(le) ?? 0) + Number(m[2]));
  }
  return out;
}

/** The reporting route's series of the HTTP duration histogram (the service's own clock). */
const REPORTING_ROUTE = 'route="/api/v1/interaction-events"';

/** p99 (ms, the upper bound of its bucket) of what a histogram observed between two scrapes. */
function p99Between(before: Map<string, number>, after: Map<string, number>): number | null {
  const total = (after.get('+Inf') ?? 0) - (before.get('+Inf') ?? 0);
  if (total <= 0) return null;
  const bounds = [...after.keys()]
    .filter((le) => le !== '+Inf')
    .sort((a, b) => Number(a) - Number(b));
  for (const le of bounds) {
    if ((after.get(le) ?? 0) - (before.get(le) ?? 0) >= 0.99 * total) return Number(le) * 1000;
  }
  return Infinity;
}

async function metricsText(port: number | undefined): Promise<string> {
  if (port === undefined) return '';
  try {
    return await (await fetch(`http://127.0.0.1:${port}/metrics`)).text();
  } catch {
    return '';
  }
}

/** An event-loop delay figure (ms) in a /metrics text; prom-client resets them at each scrape. */
function eventLoop(text: string, stat: 'p99' | 'max'): number | null {
  const m = new RegExp(`^nodejs_eventloop_lag_${stat}_seconds(?:\\{[^}]*\\})?\\s+(\\S+)`, 'm').exec(
    text,
  );
  return m ? round(Number(m[1]) * 1000) : null;
}

/** Transactions committed in the benchmark's database so far. */
async function commits(mon: pg.Client): Promise<number> {
  await mon.query('select pg_stat_clear_snapshot()');
  const { rows } = await mon.query<{ n: string }>(
    'select xact_commit::text as n from pg_stat_database where datname = current_database()',
  );
  return Number(rows[0].n);
}

/** Backends of the benchmark's database and the server's background processes. */
async function ourPostgresPids(mon: pg.Client): Promise<number[]> {
  const { rows } = await mon.query<{ pid: number }>(
    `select pid from pg_stat_activity where datname = current_database() or backend_type <> 'client backend'`,
  );
  return rows.map((r) => r.pid);
}

/** Runs `work`, measuring CPU, WAL, event-loop delay and RSS around it. */
export async function measured<T>(
  mon: pg.Client,
  pid: number,
  port: number | undefined,
  work: () => Promise<T>,
  events: (r: T) => number,
  countTransactions = false,
): Promise<{ result: T; measures: Measures; cpu: CpuUse }> {
  const m0 = await metricsText(port); // also resets prom-client's event-loop histogram
  const pids0 = await ourPostgresPids(mon);
  const w0 = await walLsn(mon);
  const x0 = await commits(mon);
  const c0 = cpuSnapshot(pid);
  const result = await work();
  const c1 = cpuSnapshot(pid);
  const w1 = await walLsn(mon);
  // Backends flush their statistics at most once a second.
  if (countTransactions) await sleep(1100);
  const x1 = await commits(mon);
  const pids1 = await ourPostgresPids(mon);
  const m1 = await metricsText(port);
  const loop = port === undefined ? null : eventLoop(m1, 'p99');
  const loopMax = port === undefined ? null : eventLoop(m1, 'max');
  const n = events(result);
  const commitP99 = (name: string, only?: string) =>
    port === undefined
      ? null
      : p99Between(histogramBuckets(m0, name, only), histogramBuckets(m1, name, only));
  const cpu = cpuDelta(c0, c1, new Set([...pids0, ...pids1]));
  const per = (ms: number) => (n > 0 ? round(ms / (n / 1000), 1) : null);
  const mem = rssMiB(pid);
  return {
    result,
    cpu,
    measures: {
      cpuMsPer1kEvents: {
        service: per(cpu.service),
        postgres: per(cpu.postgres),
        nats: per(cpu.nats),
        bench: per(cpu.bench),
      },
      walBytesPerEvent: n > 0 ? Math.round((await walDiff(mon, w0, w1)) / n) : null,
      pgTransactionsPer1kEvents:
        n > 0 && countTransactions ? round((x1 - x0) / (n / 1000), 1) : null,
      eventLoopP99Ms: loop,
      eventLoopMaxMs: loopMax,
      groupCommitP99Ms: commitP99('ihf_ingestion_group_commit_seconds'),
      groupCommitWaitP99Ms: commitP99('ihf_ingestion_group_commit_wait_seconds'),
      serverP99Ms: commitP99('http_server_request_duration_seconds', REPORTING_ROUTE),
      mainThread: cpu.serviceMainThread
        ? {
            busyPct: round((100 * cpu.serviceMainThread.run) / cpu.ms, 1),
            waitPct: round((100 * cpu.serviceMainThread.wait) / cpu.ms, 1),
          }
        : null,
      serviceRssMiB: Math.round(mem.rss),
      servicePeakRssMiB: Math.round(mem.peak),
    },
  };
}
