/** CPU and memory of processes, from /proc (Linux). */
import { readdirSync, readFileSync } from 'node:fs';

const TICK_MS = 10; // USER_HZ is 100 on Linux

/** utime + stime of a process in milliseconds, or 0 when it is gone. */
export function cpuMs(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return 0;
  }
}

/**
 * Time a thread ran on a core and time it waited, runnable, for one (ms), from
 * `/proc/<pid>/task/<tid>/schedstat`; undefined where the kernel keeps no such figures.
 */
export function schedMs(pid: number, tid = pid): { run: number; wait: number } | undefined {
  try {
    const [run, wait] = readFileSync(`/proc/${pid}/task/${tid}/schedstat`, 'utf8')
      .split(' ')
      .map(Number);
    if (!Number.isFinite(run) || !Number.isFinite(wait)) return undefined;
    return { run: run / 1e6, wait: wait / 1e6 };
  } catch {
    return undefined;
  }
}

/** Pids whose command name (`comm`) is `name`. */
export function pidsOf(name: string): number[] {
  const pids: number[] = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (readFileSync(`/proc/${entry}/comm`, 'utf8').trim() === name) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/**
 * CPU ms of every process named `name` (e.g. all postgres backends). Backends that ended
 * between two readings are lost, so callers read before and after a phase with the same
 * long-lived connections where it matters.
 */
export function cpuMsOf(name: string): number {
  return pidsOf(name).reduce((sum, pid) => sum + cpuMs(pid), 0);
}

/** Current and peak resident set size of a process, in MiB. */
export function rssMiB(pid: number): { rss: number; peak: number } {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = (key: string) => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { rss: kb('VmRSS') / 1024, peak: kb('VmHWM') / 1024 };
  } catch {
    return { rss: 0, peak: 0 };
  }
}

export interface CpuSnapshot {
  readonly at: number;
  readonly service: number;
  /** The service's main thread (its event loop): ran and waited for a core, ms. */
  readonly serviceMainThread?: { run: number; wait: number };
  /** CPU ms of each postgres process. */
  readonly postgres: Map<number, number>;
  readonly nats: number;
  readonly bench: number;
}

export interface CpuUse {
  readonly ms: number;
  readonly service: number;
  /** The service's main thread between the snapshots: ran and waited for a core, ms. */
  readonly serviceMainThread: { run: number; wait: number } | null;
  readonly postgres: number;
  readonly nats: number;
  readonly bench: number;
}

/** CPU counters of the service under test, each postgres process, nats-server and this one. */
export function cpuSnapshot(servicePid: number): CpuSnapshot {
  const self = process.cpuUsage();
  return {
    at: performance.now(),
    service: cpuMs(servicePid),
    serviceMainThread: schedMs(servicePid),
    postgres: new Map(pidsOf('postgres').map((pid) => [pid, cpuMs(pid)])),
    nats: cpuMsOf('nats-server'),
    bench: (self.user + self.system) / 1000,
  };
}

/**
 * CPU used between two snapshots. Postgres counts only `pgPids` (when given: the backends of
 * the benchmark's database and the server's background processes, not other databases'
 * backends); a process born in between counts from zero, one that ended is lost.
 */
export function cpuDelta(a: CpuSnapshot, b: CpuSnapshot, pgPids?: Iterable<number>): CpuUse {
  let postgres = 0;
  for (const pid of pgPids ?? b.postgres.keys()) {
    const before = a.postgres.get(pid) ?? 0;
    postgres += (b.postgres.get(pid) ?? before) - before;
  }
  return {
    ms: b.at - a.at,
    service: b.service - a.service,
    serviceMainThread:
      a.serviceMainThread && b.serviceMainThread
        ? {
            run: b.serviceMainThread.run - a.serviceMainThread.run,
            wait: b.serviceMainThread.wait - a.serviceMainThread.wait,
          }
        : null,
    postgres,
    nats: b.nats - a.nats,
    bench: b.bench - a.bench,
  };
}

/** CPU ms of every process, by pid, with its command name. */
export function processCpu(): Map<number, { comm: string; ms: number }> {
  const out = new Map<number, { comm: string; ms: number }>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const comm = readFileSync(`/proc/${entry}/comm`, 'utf8').trim();
      out.set(Number(entry), { comm, ms: cpuMs(Number(entry)) });
    } catch {
      // gone
    }
  }
  return out;
}

/** Host load average. */
export function loadAverage(): string {
  return readFileSync('/proc/loadavg', 'utf8').trim();
}

/**
 * The processes that used the most CPU since `before` (processes born since count from zero),
 * as `comm(pid) seconds`, and the CPU seconds of processes other than `ours`, postgres and
 * nats-server (other people's work on this machine).
 */
export function busiestSince(
  before: Map<number, { comm: string; ms: number }>,
  ours: ReadonlySet<number>,
): { top: string[]; othersCpuSeconds: number } {
  const now = processCpu();
  const rows = [...now.entries()].map(([pid, p]) => ({
    pid,
    comm: p.comm,
    ms: p.ms - (before.get(pid)?.ms ?? 0),
  }));
  rows.sort((x, y) => y.ms - x.ms);
  const shared = new Set(['postgres', 'nats-server']);
  const others = rows
    .filter((r) => !ours.has(r.pid) && !shared.has(r.comm))
    .reduce((s, r) => s + r.ms, 0);
  return {
    top: rows.slice(0, 10).map((r) => `${r.comm}(${r.pid}) ${(r.ms / 1000).toFixed(1)}s`),
    othersCpuSeconds: Math.round(others / 1000),
  };
}
