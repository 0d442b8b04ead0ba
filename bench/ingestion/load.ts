/**
 * The load generator: keep-alive HTTP through undici's Pool, closed-loop (N clients, each
 * sending its next request when the previous one is answered) and open-loop (constant arrival
 * rate; latency measured from each request's intended send time, so a stalled server is
 * charged for the requests it delayed: no coordinated omission).
 */
import { promisify } from 'node:util';
import { gzip as gzipCb } from 'node:zlib';
import { Pool } from 'undici';
import { type Corpus, type FaultKind, type PlannedRequest } from './corpus.ts';
import { Histogram } from '../lib/hdr.ts';

const gzip = promisify(gzipCb);

export interface Shape {
  readonly name: string;
  readonly size: number;
  readonly gzip: boolean;
}

export const SHAPES: Record<string, Shape> = {
  single: { name: 'single', size: 1, gzip: false },
  batch50: { name: 'batch50', size: 50, gzip: false },
  batch500: { name: 'batch500', size: 500, gzip: false },
  batch500gz: { name: 'batch500gz', size: 500, gzip: true },
};

/** Where requests go: a pool to one origin, the path, and each hub's API key by index. */
export interface Target {
  readonly pool: Pool;
  readonly path: string;
  readonly keys: readonly string[];
}

export function openPool(origin: string, connections = 256): Pool {
  return new Pool(origin, {
    connections,
    pipelining: 1,
    keepAliveTimeout: 60_000,
    headersTimeout: 30_000,
    bodyTimeout: 30_000,
  });
}

interface EventResult {
  readonly status: string;
  readonly reason?: string;
}

/**
 * What the generator knows for the correctness check: ids acknowledged as accepted, what each
 * planted fault got, and how many events were in requests that got no 202.
 */
export class Ledger {
  readonly accepted = new Set<string>();
  readonly faults: Record<FaultKind, { ok: number; bad: number }> = {
    none: { ok: 0, bad: 0 },
    invalid: { ok: 0, bad: 0 },
    retry: { ok: 0, bad: 0 },
    oversize: { ok: 0, bad: 0 },
    wrong_hub: { ok: 0, bad: 0 },
  };
  readonly badExamples: string[] = [];
  readonly statuses: Record<string, number> = {};
  unacknowledgedEvents = 0;
  /** Accepted twice (an id the service said it stored earlier): must stay 0. */
  acceptedTwice = 0;
  /** Called with each event id answered `accepted`, at its 202 (the pipeline phase's clock). */
  onAccepted?: (id: string) => void;

  status(code: string): void {
    this.statuses[code] = (this.statuses[code] ?? 0) + 1;
  }
}

/** A request ready to send: body bytes and headers. */
export interface Prepared {
  readonly planned: PlannedRequest;
  readonly body: Buffer;
  readonly gzip: boolean;
}

export async function prepare(planned: PlannedRequest, withGzip: boolean): Promise<Prepared> {
  const raw = Buffer.from(planned.body, 'utf8');
  return { planned, body: withGzip ? await gzip(raw) : raw, gzip: withGzip };
}

export interface Outcome {
  readonly code: number;
  readonly accepted: number;
  readonly events: number;
}

/** Sends one request and books every event's answer in the ledger. */
export async function send(
  target: Target,
  req: Prepared,
  ledger: Ledger,
  corpus: Corpus | undefined,
): Promise<Outcome> {
  const headers: Record<string, string> = {
    authorization: `Bearer ${target.keys[req.planned.keyHub]}`,
    'content-type': 'application/json',
  };
  if (req.gzip) headers['content-encoding'] = 'gzip';
  const events = req.planned.events.length;
  let code: number;
  let text: string;
  try {
    const res = await target.pool.request({
      path: target.path,
      method: 'POST',
      headers,
      body: req.body,
    });
    code = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    ledger.status(`error:${(error as { code?: string }).code ?? 'unknown'}`);
    ledger.unacknowledgedEvents += events;
    return { code: 0, accepted: 0, events };
  }
  ledger.status(String(code));
  if (code !== 202) {
    ledger.unacknowledgedEvents += events;
    return { code, accepted: 0, events };
  }
  const results = (JSON.parse(text) as { results: EventResult[] }).results;
  let accepted = 0;
  req.planned.events.forEach((ev, i) => {
    const got = results[i];
    const answer = got.status === 'rejected' ? `rejected:${got.reason}` : got.status;
    if (got.status === 'accepted') {
      accepted++;
      if (ledger.accepted.has(ev.id)) ledger.acceptedTwice++;
      ledger.accepted.add(ev.id);
      ledger.onAccepted?.(ev.id);
      if (ev.fault === 'none' && corpus && (ev.id.charCodeAt(0) & 7) === 0)
        corpus.acknowledged(req.planned.keyHub, ev.json);
    }
    const bucket = ledger.faults[ev.fault];
    if (answer === ev.expect) bucket.ok++;
    else {
      bucket.bad++;
      if (ledger.badExamples.length < 10)
        ledger.badExamples.push(`${ev.fault} ${ev.id}: expected ${ev.expect}, got ${answer}`);
    }
  });
  return { code, accepted, events };
}

export interface PhaseResult {
  readonly mode: 'closed' | 'open';
  readonly concurrency?: number;
  readonly offeredRps?: number;
  readonly seconds: number;
  readonly requests: number;
  readonly ok: number;
  readonly acceptedEvents: number;
  readonly sentEvents: number;
  readonly rps: number;
  readonly eventsPerSec: number;
  readonly latency: ReturnType<Histogram['summary']>;
  readonly codes: Record<string, number>;
  /**
   * Open loop: p99 of how late the generator itself sent (ms after the intended time); the
   * latency above includes it. A large figure means the tail is the generator's, not the service's.
   */
  readonly sendLagP99Ms?: number;
  /**
   * Open loop: answers slower than {@link SLOW_MS}, grouped into stalls (slow requests whose
   * intended send times lie within {@link STALL_GAP_MS} of each other); the largest three, with
   * their wall-clock start, to line them up with the service's and Postgres' logs.
   */
  readonly slow?: { requests: number; stalls: Stall[] };
}

/** An answer slower than this counts as slow (the single-event p99 target at 50% load). */
export const SLOW_MS = 50;
const STALL_GAP_MS = 100;

export interface Stall {
  /** Wall-clock time of the first slow request's intended send (ISO, ms). */
  readonly at: string;
  /** Milliseconds after the phase's start. */
  readonly offsetMs: number;
  /** From the first to the last slow request's intended send. */
  readonly spanMs: number;
  readonly requests: number;
  readonly maxMs: number;
}

/** Slow answers grouped into stalls, largest first (at most three). */
export function stallsOf(
  timed: readonly Timed[],
  startedAtMs: number,
): { requests: number; stalls: Stall[] } {
  const slow = timed.filter((t) => t.latencyMs > SLOW_MS).sort((a, b) => a.intended - b.intended);
  const groups: Timed[][] = [];
  for (const t of slow) {
    const group = groups.at(-1);
    if (group && t.intended - group.at(-1)!.intended <= STALL_GAP_MS) group.push(t);
    else groups.push([t]);
  }
  const stalls = groups
    .sort((a, b) => b.length - a.length)
    .slice(0, 3)
    .map((g) => ({
      at: new Date(startedAtMs + g[0].intended).toISOString(),
      offsetMs: Math.round(g[0].intended),
      spanMs: Math.round(g.at(-1)!.intended - g[0].intended),
      requests: g.length,
      maxMs: Math.round(Math.max(...g.map((t) => t.latencyMs))),
    }));
  return { requests: slow.length, stalls };
}

function result(
  mode: 'closed' | 'open',
  seconds: number,
  outcomes: Outcome[],
  hist: Histogram,
  extra: { concurrency?: number; offeredRps?: number },
): PhaseResult {
  const codes: Record<string, number> = {};
  let accepted = 0;
  let sent = 0;
  for (const o of outcomes) {
    codes[o.code] = (codes[o.code] ?? 0) + 1;
    accepted += o.accepted;
    sent += o.events;
  }
  const ok = codes['202'] ?? 0;
  return {
    mode,
    ...extra,
    seconds: Math.round(seconds * 100) / 100,
    requests: outcomes.length,
    ok,
    acceptedEvents: accepted,
    sentEvents: sent,
    rps: Math.round(ok / seconds),
    eventsPerSec: Math.round(accepted / seconds),
    latency: hist.summary(),
    codes,
  };
}

/** `concurrency` clients for `seconds`, each sending its next request once answered. */
export async function closedLoop(
  target: Target,
  corpus: Corpus,
  shape: Shape,
  concurrency: number,
  seconds: number,
  ledger: Ledger,
): Promise<PhaseResult> {
  const hist = new Histogram();
  const outcomes: Outcome[] = [];
  const start = performance.now();
  const end = start + seconds * 1000;
  const client = async () => {
    while (performance.now() < end) {
      const req = await prepare(corpus.request(shape.size), shape.gzip);
      const t = performance.now();
      const o = await send(target, req, ledger, corpus);
      hist.record((performance.now() - t) * 1000);
      outcomes.push(o);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, client));
  return result('closed', (performance.now() - start) / 1000, outcomes, hist, { concurrency });
}

/** A part of an open-loop schedule: `rate` requests per second for `seconds`. */
export interface Segment {
  readonly rate: number;
  readonly seconds: number;
}

export interface Timed {
  readonly intended: number;
  readonly latencyMs: number;
  /** How late the generator handed the request to the HTTP client (its own delay). */
  readonly sendLagMs: number;
  readonly outcome: Outcome;
}

/**
 * Sends prepared requests at their intended offsets (ms from the start); each latency runs
 * from the intended send time, so a stalled server is charged for the requests it delayed.
 */
export async function runSchedule(
  target: Target,
  prepared: readonly Prepared[],
  offsets: readonly number[],
  ledger: Ledger,
  corpus: Corpus,
): Promise<{ timed: Timed[]; seconds: number; startedAtMs: number }> {
  const timed: Timed[] = [];
  const pending: Promise<void>[] = [];
  const t0 = performance.now() + 5;
  const startedAtMs = Date.now() + 5;
  let last = t0;
  const count = prepared.length;
  await new Promise<void>((resolve) => {
    let i = 0;
    const tick = () => {
      const now = performance.now();
      while (i < count && t0 + offsets[i] <= now) {
        const intended = t0 + offsets[i];
        const sendLagMs = performance.now() - intended;
        pending.push(
          send(target, prepared[i], ledger, corpus).then((outcome) => {
            const done = performance.now();
            timed.push({ intended: intended - t0, latencyMs: done - intended, sendLagMs, outcome });
            if (done > last) last = done;
          }),
        );
        i++;
      }
      if (i < count) setTimeout(tick, Math.max(0, t0 + offsets[i] - performance.now() - 0.5));
      else resolve();
    };
    tick();
  });
  await Promise.all(pending);
  return { timed, seconds: (last - t0) / 1000, startedAtMs };
}

export async function prepareMany(
  corpus: Corpus,
  shape: Shape,
  count: number,
): Promise<Prepared[]> {
  const prepared: Prepared[] = [];
  for (let i = 0; i < count; i++)
    prepared.push(await prepare(corpus.request(shape.size), shape.gzip));
  return prepared;
}

function summarise(
  mode: 'closed' | 'open',
  timed: readonly Timed[],
  seconds: number,
  extra: { concurrency?: number; offeredRps?: number },
): PhaseResult {
  const hist = new Histogram();
  const lag = new Histogram();
  for (const t of timed) {
    hist.record(t.latencyMs * 1000);
    lag.record(Math.max(0, t.sendLagMs) * 1000);
  }
  return {
    ...result(
      mode,
      seconds,
      timed.map((t) => t.outcome),
      hist,
      extra,
    ),
    sendLagP99Ms: timed.length ? lag.summary().p99 : undefined,
  };
}

/**
 * Requests at a constant `rate` per second for `seconds` (at least `minRequests`), prepared
 * beforehand; latency from the intended send time (coordinated omission corrected).
 */
export async function openLoop(
  target: Target,
  corpus: Corpus,
  shape: Shape,
  rate: number,
  seconds: number,
  ledger: Ledger,
  minRequests = 40,
): Promise<PhaseResult> {
  const count = Math.max(minRequests, Math.round(rate * seconds));
  const prepared = await prepareMany(corpus, shape, count);
  const offsets = prepared.map((_, i) => (i * 1000) / rate);
  const run = await runSchedule(target, prepared, offsets, ledger, corpus);
  return {
    ...summarise('open', run.timed, run.seconds, { offeredRps: rate }),
    slow: stallsOf(run.timed, run.startedAtMs),
  };
}

/**
 * An open-loop schedule of segments (e.g. 150% for 60 s, then 50% for 30 s) without pause
 * between them; results per `windowSeconds` window of intended send time, so that recovery
 * after an overload is seen as it happens.
 */
export async function openLoopSegments(
  target: Target,
  corpus: Corpus,
  shape: Shape,
  segments: readonly Segment[],
  windowSeconds: number,
  ledger: Ledger,
): Promise<{ total: PhaseResult; windows: (PhaseResult & { fromSecond: number })[] }> {
  const offsets: number[] = [];
  let start = 0;
  for (const seg of segments) {
    const n = Math.round(seg.rate * seg.seconds);
    for (let i = 0; i < n; i++) offsets.push(start + (i * 1000) / seg.rate);
    start += seg.seconds * 1000;
  }
  const prepared = await prepareMany(corpus, shape, offsets.length);
  const run = await runSchedule(target, prepared, offsets, ledger, corpus);
  const windows: (PhaseResult & { fromSecond: number })[] = [];
  for (let from = 0; from < start; from += windowSeconds * 1000) {
    const part = run.timed.filter(
      (t) => t.intended >= from && t.intended < from + windowSeconds * 1000,
    );
    windows.push({
      fromSecond: from / 1000,
      ...summarise('open', part, windowSeconds, { offeredRps: part.length / windowSeconds }),
    });
  }
  return { total: summarise('open', run.timed, run.seconds, {}), windows };
}

/**
 * Closed-loop ramp: doubles the clients from 1 until committed events per second stop
 * improving (less than 5% better twice in a row) or `maxConcurrency`; the best step is the
 * saturation point. `step` runs one step (a {@link closedLoop}, possibly measured).
 */
export async function ramp<T extends PhaseResult>(
  label: string,
  step: (concurrency: number) => Promise<T>,
  maxConcurrency: number,
  log: (line: string) => void,
): Promise<{ steps: T[]; best: T }> {
  const steps: T[] = [];
  let best: T | undefined;
  let flat = 0;
  for (let c = 1; c <= maxConcurrency; c *= 2) {
    const r = await step(c);
    steps.push(r);
    log(
      `  ${label} closed c=${c}: ${r.rps} req/s, ${r.eventsPerSec} ev/s, p99 ${r.latency.p99} ms, codes ${JSON.stringify(r.codes)}`,
    );
    if (!best || r.eventsPerSec > best.eventsPerSec * 1.05) {
      best = r;
      flat = 0;
    } else if (++flat >= 2) break;
  }
  if (!best) throw new Error('ramp: no step ran');
  return { steps, best };
}
