/**
 * `npm run bench:ingestion` (issue 7): the ingestion service's reporting endpoint under load,
 * with its baselines B0–B4, in one run. Not a test; see bench/ingestion/README.md.
 *
 * Flags: --quick (under 3 minutes, no overload phase), --cpu-prof (profile the service,
 * summarise top frames), --overload (with --quick: 150% of saturation for 60 s, then 50%), --seed=<text>, --keep (keep the
 * database and streams for inspection). Env: DATABASE_URL, NATS_URL (defaults as everywhere).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { createWriteStream, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { cpus, totalmem, release } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import * as prettier from 'prettier';
import { connect } from '@nats-io/transport-node';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { TestTokenIssuer } from '@ihf/auth';
import { Corpus, EVENT_TYPES, FAULT_RATES, Random, type BenchHub } from './corpus.ts';
import {
  closedLoop,
  Ledger,
  openLoop,
  openLoopSegments,
  openPool,
  ramp,
  SHAPES,
  type PhaseResult,
  type Shape,
  type Target,
} from './load.ts';
import {
  type B2Result,
  copyInto,
  copyTable,
  encodeCopies,
  jetstreamPublish,
  unnestInsert,
} from './baselines.ts';
import { RelayWatcher } from './relay.ts';
import {
  busiestSince,
  cpuDelta,
  cpuSnapshot,
  loadAverage,
  processCpu,
  rssMiB,
  type CpuUse,
} from './proc.ts';
import { summariseProfile } from './profile.ts';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const argv = process.argv.slice(2);
const flag = (name: string) => argv.includes(`--${name}`);
const option = (name: string) =>
  argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);

const QUICK = flag('quick');
const CPU_PROF = flag('cpu-prof');
const OVERLOAD = !QUICK || flag('overload');
const KEEP = flag('keep');
const SEED = option('seed') ?? 'ihf-bench-7';
/** `no-async-traces`: the service with one NATS connection option changed (an experiment). */
const VARIANT = option('variant');
if (VARIANT !== undefined && VARIANT !== 'no-async-traces')
  throw new Error(`unknown --variant=${VARIANT} (known: no-async-traces)`);
const SHAPE_NAMES = (
  option('shapes') ?? (QUICK ? 'single,batch500' : 'single,batch50,batch500,batch500gz')
).split(',');
const HUBS = 1000;
const WIDGETS = 50_000;
const RAMP_STEP_S = QUICK ? 2 : 3;
const OPEN_S = QUICK ? 3 : 10;
// 70% too, for the relay target (the issue asks for the relay at 70% load).
const LEVELS = QUICK ? [0.25, 0.5, 0.7, 0.9] : [0.25, 0.5, 0.7, 0.75, 0.9];
const BASELINE_ROWS = QUICK ? 100_000 : 300_000;
const B2_SECONDS = QUICK ? 3 : 5;

/** INGESTION_* variables set when the benchmark runs, passed on to the service. */
const serviceOverrides: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] => e[0].startsWith('INGESTION_') && e[1] !== undefined,
  ),
);
const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ihf';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const suffix = randomBytes(4).toString('hex');
const dbName = `ihf_bench_${suffix}`;
const namespace = `bench${suffix}`;
const stamp = new Date().toISOString().replace(/[:.]/g, '-');
const resultsDir = join(here, 'results');
mkdirSync(resultsDir, { recursive: true });
const logFile = createWriteStream(join(resultsDir, `${stamp}.log`));

function log(line: string): void {
  const text = `[${new Date().toISOString().slice(11, 19)}] ${line}`;
  console.log(text);
  logFile.write(`${text}\n`);
}

function dbUrl(name: string): string {
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  return url.toString();
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const address = s.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Writes a result file as the repository's Prettier would format it. */
async function writePretty(file: string, text: string): Promise<void> {
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(file, await prettier.format(text, { ...options, filepath: file }));
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

// ---------------------------------------------------------------- processes we start

const children = new Map<string, ChildProcess>();
/** Pids of every process this run started. */
const ourPids = new Set<number>();

async function startProcess(
  name: string,
  args: string[],
  env: Record<string, string>,
  port: number,
): Promise<ChildProcess> {
  const child = spawn(process.execPath, args, {
    cwd: root,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  children.set(name, child);
  if (child.pid !== undefined) ourPids.add(child.pid);
  const out = createWriteStream(join(resultsDir, `${stamp}.${name}.log`));
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  const deadline = Date.now() + 90_000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`${name} exited with ${child.exitCode}`);
    try {
      const res = await fetch(`http://127.0.0.1:${port}/health/ready`);
      if (res.status === 200) {
        log(`${name} ready (pid ${child.pid}, port ${port})`);
        return child;
      }
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  throw new Error(`${name} did not become ready within 90 s`);
}

/** SIGTERM to one process we started (by its pid), SIGKILL after 15 s. */
async function stopProcess(name: string): Promise<void> {
  const child = children.get(name);
  if (!child || child.pid === undefined) return;
  children.delete(name);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  process.kill(child.pid, 'SIGTERM');
  const timer = setTimeout(() => {
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
  }, 15_000);
  await exited;
  clearTimeout(timer);
}

// ---------------------------------------------------------------- measurements

interface Measures {
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
  /** p99 of the group commit statements and of the wait before them (bucket upper bounds). */
  readonly groupCommitP99Ms?: number | null;
  readonly groupCommitWaitP99Ms?: number | null;
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

/** The cumulative buckets (le → count) of a histogram in a /metrics text. */
function histogramBuckets(text: string, name: string): Map<string, number> {
  const out = new Map<string, number>();
  const re = new RegExp(`^${name}_bucket\\{[^}]*le="([^"]+)"[^}]*\\}\\s+(\\S+)`, 'gm');
  for (const m of text.matchAll(re)) out.set(m[1], (out.get(m[1]) ?? 0) + Number(m[2]));
  return out;
}

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

/** The event-loop delay p99 (ms) in a /metrics text; prom-client resets it at each scrape. */
function eventLoopP99(text: string): number | null {
  const m = /^nodejs_eventloop_lag_p99_seconds(?:\{[^}]*\})?\s+(\S+)/m.exec(text);
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
async function measured<T>(
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
  const loop = port === undefined ? null : eventLoopP99(m1);
  const n = events(result);
  const commitP99 = (name: string) =>
    port === undefined ? null : p99Between(histogramBuckets(m0, name), histogramBuckets(m1, name));
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
      groupCommitP99Ms: commitP99('ihf_ingestion_group_commit_seconds'),
      groupCommitWaitP99Ms: commitP99('ihf_ingestion_group_commit_wait_seconds'),
      serviceRssMiB: Math.round(mem.rss),
      servicePeakRssMiB: Math.round(mem.peak),
    },
  };
}

// ---------------------------------------------------------------- setup

interface Admin {
  readonly base: string;
  readonly token: string;
}

async function api<T>(admin: Admin, method: string, path: string, body?: unknown): Promise<T> {
  const res = await fetch(`${admin.base}${path}`, {
    method,
    headers: {
      authorization: `Bearer ${admin.token}`,
      ...(body === undefined ? {} : { 'content-type': 'application/json' }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
  return (text ? JSON.parse(text) : undefined) as T;
}

interface ContractView {
  id: string;
  contract_version: string;
  endpoint_path: string;
  accepted_event_types: string[];
  required_fields: string[];
  validation_rules: Record<string, unknown>[];
  status: string;
}

/** Makes sure the active reporting contract accepts the corpus' 12 event types (via the API). */
async function ensureContract(admin: Admin): Promise<string> {
  const list = await api<{ items: ContractView[] }>(
    admin,
    'GET',
    '/api/v1/reporting-contracts?status=active',
  );
  const active = list.items[0];
  if (!active) throw new Error('no active reporting contract');
  const missing = EVENT_TYPES.filter((t) => !active.accepted_event_types.includes(t));
  if (missing.length === 0) return active.contract_version;
  const created = await api<ContractView>(admin, 'POST', '/api/v1/reporting-contracts', {
    contract_version: '1.1',
    endpoint_path: active.endpoint_path,
    accepted_event_types: [...active.accepted_event_types, ...missing],
    required_fields: active.required_fields,
    validation_rules: active.validation_rules,
    description: `bench: v${active.contract_version} plus ${missing.join(', ')}`,
  });
  await api(admin, 'POST', `/api/v1/reporting-contracts/${created.id}/status`, {
    status: 'active',
  });
  log(`reporting contract 1.1 activated (adds ${missing.join(', ')})`);
  return '1.1';
}

async function inParallel<T, R>(
  items: readonly T[],
  n: number,
  fn: (t: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array<R>(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: n }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i], i);
      }
    }),
  );
  return out;
}

/** Hubs and their keys through the API; widgets straight into the schema (50 per hub). */
async function register(admin: Admin, db: pg.Client): Promise<BenchHub[]> {
  const rnd = new Random(`${SEED}:registry`);
  const hubs = await inParallel(
    Array.from({ length: HUBS }, (_, i) => i),
    8,
    async (i) => {
      const hub = await api<{ id: string }>(admin, 'POST', '/api/v1/hubs', {
        slug: `bench-${i}`,
        name: `Bench hub ${i}`,
        domain: `hub${i}.example.com`,
      });
      const key = await api<{ key: string }>(admin, 'POST', `/api/v1/hubs/${hub.id}/api-keys`, {
        label: 'bench',
      });
      return { id: hub.id, key: key.key, widgets: [] as string[] };
    },
  );
  const ids: string[] = [];
  const hubIds: string[] = [];
  for (let w = 0; w < WIDGETS; w++) {
    const id = rnd.uuid();
    const hub = hubs[w % HUBS];
    hub.widgets.push(id);
    ids.push(id);
    hubIds.push(hub.id);
  }
  await db.query(
    `insert into ingestion.widgets (id, hub_id, name, widget_type, view_context)
     select id, hub_id, 'Widget ' || ord, (array['button','form','link','tab','card'])[1 + ord % 5], 'view/' || (ord % 20)
       from unnest($1::uuid[], $2::uuid[]) with ordinality as w(id, hub_id, ord)`,
    [ids, hubIds],
  );
  await db.query(
    `insert into ingestion.widget_versions (widget_id, version, schema_snapshot)
     select id, 1, jsonb_build_object('name', name, 'widget_type', widget_type) from ingestion.widgets`,
  );
  return hubs;
}

// ---------------------------------------------------------------- correctness

/** Waits (at most 60 s) until the relay has delivered every stored event; returns the ms. */
async function relayCaughtUp(db: pg.Client, watcher: RelayWatcher): Promise<number> {
  const { rows } = await db.query<{ n: string }>(
    'select count(*)::text as n from ingestion.interaction_events',
  );
  return watcher.waitFor(Number(rows[0].n), 60_000);
}

interface Check {
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

const tableIds = new Set<string>();
let lastSeq = '0';

async function verify(
  shape: string,
  db: pg.Client,
  ledger: Ledger,
  watcher: RelayWatcher,
  streamName: string,
  jsm: Awaited<ReturnType<typeof jetstreamManager>>,
): Promise<Check> {
  const { rows } = await db.query<{ n: string; d: string }>(
    'select count(*)::text as n, count(distinct id)::text as d from ingestion.interaction_events',
  );
  const tableRows = Number(rows[0].n);
  const catchUp = await watcher.waitFor(tableRows, 60_000);
  const fresh = await db.query<{ id: string; seq: string }>(
    'select id::text as id, tail_seq::text as seq from ingestion.interaction_events where tail_seq > $1 order by tail_seq',
    [lastSeq],
  );
  for (const r of fresh.rows) tableIds.add(r.id);
  if (fresh.rows.length > 0) lastSeq = fresh.rows[fresh.rows.length - 1].seq;
  let missing = 0;
  for (const id of ledger.accepted) if (!tableIds.has(id)) missing++;
  let unacked = 0;
  for (const id of tableIds) if (!ledger.accepted.has(id)) unacked++;
  let streamMissing = 0;
  for (const id of tableIds) if (!watcher.ids.has(id)) streamMissing++;
  let streamExtra = 0;
  for (const id of watcher.ids) if (!tableIds.has(id)) streamExtra++;
  const info = await jsm.streams.info(streamName);
  const faultsOk = Object.entries(ledger.faults).every(([, v]) => v.bad === 0);
  const streamMatches =
    info.state.messages === tableRows &&
    streamMissing === 0 &&
    streamExtra === 0 &&
    watcher.duplicates === 0;
  const exactlyOnce = rows[0].n === rows[0].d && ledger.acceptedTwice === 0;
  return {
    shape,
    ackedStored: missing === 0,
    missing,
    storedUnacknowledged: unacked,
    exactlyOnce,
    faultsRefusedRight: faultsOk,
    faults: structuredClone(ledger.faults),
    badExamples: [...ledger.badExamples],
    streamMatches,
    streamMessages: info.state.messages,
    tableRows,
    streamMissing,
    streamExtra,
    streamDuplicates: watcher.duplicates,
    relayCatchUpMs: catchUp,
    pass: missing === 0 && exactlyOnce && faultsOk && streamMatches,
  };
}

// ---------------------------------------------------------------- the run

interface PgBaseline {
  readonly rows: number;
  readonly seconds: number;
  readonly rowsPerSec: number;
  readonly cpuMsPer1kRows: { postgres: number | null; bench: number | null };
  readonly walBytesPerRow: number | null;
}

interface B2Out extends B2Result {
  readonly cpuMsPer1kMessages: { nats: number; bench: number };
}

interface ServerBaseline {
  readonly saturation: MeasuredPhase;
  readonly steps: MeasuredPhase[];
}

interface Baselines {
  B0?: PgBaseline;
  B1?: PgBaseline;
  B2_window1?: B2Out;
  B2_window1000?: B2Out;
  B3?: ServerBaseline;
  B4?: ServerBaseline;
}

interface Overload {
  readonly offeredRps: { over: number; after: number };
  readonly total: MeasuredPhase;
  readonly windows: (PhaseResult & { fromSecond: number })[];
  /** Seconds after the overload stopped until a 5 s window had p99 ≤ 50 ms (end of window). */
  readonly recoveredWithinSeconds: number | null;
  readonly check: Check;
}

interface Meta {
  readonly startedAt: string;
  readonly durationSeconds: number;
  readonly command: string;
  readonly quick: boolean;
  readonly variant: string | null;
  readonly seed: string;
  readonly machine: {
    cpus: number;
    cpuModel: string | undefined;
    memoryGiB: number;
    kernel: string;
    loadBefore: string;
    loadAfter: string;
    /** CPU seconds used during the run, by process (top 10). */
    busiestProcessesDuringRun: string[];
    /** CPU seconds used during the run by processes other than ours, postgres and nats. */
    otherProcessesCpuSeconds: number;
  };
  readonly versions: { node: string; postgres: string; natsServer: string };
  readonly postgresSettings: Record<string, string>;
  readonly serviceSettings: {
    defaults: string;
    overrides: Record<string, string>;
    rateLimit: string;
  };
  readonly contractVersion: string;
  readonly corpus: {
    hubs: number;
    widgets: number;
    eventTypes: number;
    meanEventBytes: number;
    faultRates: typeof FAULT_RATES;
    eventsGenerated: number;
  };
  readonly ledger: {
    accepted: number;
    statuses: Record<string, number>;
    unacknowledgedEvents: number;
  };
}

interface Report {
  meta: Meta;
  shapes: ShapeResult[];
  baselines: Baselines;
  overload?: Overload;
  targets: Target7[];
}

interface LevelResult extends PhaseResult {
  readonly level: number;
  readonly measures: Measures;
  readonly relayLagMs: ReturnType<RelayWatcher['lagBetween']>;
  /** How long the relay needed, before this level started, to deliver the previous backlog. */
  readonly relayBacklogDrainedBeforeMs: number;
}

interface MeasuredPhase extends PhaseResult {
  readonly measures: Measures;
}

interface ShapeResult {
  readonly shape: string;
  readonly ramp: MeasuredPhase[];
  readonly saturation: MeasuredPhase;
  readonly levels: LevelResult[];
  readonly check: Check;
}

/** Deletes the streams of this run's namespace. */
async function dropStreams(jsm: JetStreamManager): Promise<void> {
  const prefix = `${namespace.toUpperCase()}_`;
  for await (const s of jsm.streams.list()) {
    if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
  }
}

/** What an interrupted run drops (set once its database exists; nothing with --keep). */
let dropOnInterrupt: (() => Promise<void>) | undefined;
/** Set by the first Ctrl-C. */
let interrupted = false;

async function main(): Promise<void> {
  const started = Date.now();
  const cpuBefore = processCpu();
  const loadBefore = loadAverage();
  log(
    `ingestion benchmark ${QUICK ? '(quick) ' : ''}seed=${SEED} db=${dbName} namespace=${namespace}`,
  );
  log(`load before: ${loadBefore}`);
  const admin0 = new pg.Client({ connectionString: dbUrl('postgres') });
  await admin0.connect();
  await admin0.query(`create database "${dbName}"`);
  const nc = await connect({ servers: natsUrl.split(',') });
  const jsm = await jetstreamManager(nc);
  if (!KEEP) {
    dropOnInterrupt = async () => {
      await admin0.query(`drop database if exists "${dbName}" with (force)`);
      await dropStreams(jsm);
    };
  }
  const issuer = await TestTokenIssuer.start();
  let db: pg.Client | undefined;
  let mon: pg.Client | undefined;
  const watcher = new RelayWatcher();
  try {
    const settings = await admin0.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in
        ('fsync','synchronous_commit','wal_level','full_page_writes','shared_buffers','max_wal_size','wal_compression','commit_delay','checkpoint_timeout')`,
    );
    const pgVersion = (await admin0.query<{ v: string }>('select version() as v')).rows[0].v;
    const port = await freePort();
    const serviceEnv: Record<string, string> = {
      DATABASE_URL: dbUrl(dbName),
      NATS_URL: natsUrl,
      IHF_NATS_NAMESPACE: namespace,
      IHF_JWKS_URL: issuer.jwksUrl,
      IHF_STREAM_MAX_BYTES: String(4 * 1024 ** 3),
      HOST: '127.0.0.1',
      LOG_LEVEL: 'warn',
      // 1,000 skewed hubs: the hottest sends ~18% of the traffic, above the default 2,000/s.
      INGESTION_RATE_LIMIT_EVENTS_PER_SEC: '100000000',
      INGESTION_RATE_LIMIT_BURST: '100000000',
      SHUTDOWN_GRACE_MS: '500',
      // Experiments: INGESTION_* variables of the benchmark's environment reach the service.
      ...serviceOverrides,
    };
    const profDir = join(resultsDir, `${stamp}.prof`);
    const service = await startProcess(
      'ingestion',
      [
        ...(CPU_PROF ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
        // GC pauses into the service's log (`<timestamp>.ingestion.log`).
        ...(flag('trace-gc') ? ['--trace-gc'] : []),
        VARIANT ? `bench/ingestion/variant-${VARIANT}.ts` : 'services/ingestion/dist/main.js',
      ],
      { ...serviceEnv, PORT: String(port) },
      port,
    );
    const servicePid = service.pid!;
    db = new pg.Client({ connectionString: dbUrl(dbName) });
    mon = new pg.Client({ connectionString: dbUrl(dbName) });
    for (const c of [db, mon]) {
      // Dropping the database on Ctrl-C ends these sessions: not a reason to crash.
      c.on('error', (error) => {
        if (!interrupted) log(`benchmark session error: ${String(error)}`);
      });
      await c.connect();
    }
    const base = `http://127.0.0.1:${port}`;
    const admin = { base, token: issuer.sign({ sub: randomUUID(), roles: ['admin'] }) };
    const contractVersion = await ensureContract(admin);
    const t0 = Date.now();
    const hubs = await register(admin, db);
    log(
      `registered ${HUBS} hubs + keys (API) and ${WIDGETS} widgets (SQL) in ${round((Date.now() - t0) / 1000, 1)} s`,
    );
    const streamName = `${namespace.toUpperCase()}_IHF_EVENTS`;
    await watcher.start(nc, streamName);
    const now = Date.now();
    const corpus = new Corpus({ seed: SEED, hubs, now });
    const ledger = new Ledger();
    const pool = openPool(base);
    const target: Target = {
      pool,
      path: '/api/v1/interaction-events',
      keys: hubs.map((h) => h.key),
    };

    // Warm-up (JIT, caches, pools): not measured, but booked in the ledger.
    await ramp(
      'warm-up',
      (c) => closedLoop(target, corpus, SHAPES.batch50, c, 2, ledger),
      4,
      () => undefined,
    );
    log(
      `warm-up done: ${ledger.accepted.size} events accepted, codes ${JSON.stringify(ledger.statuses)}`,
    );

    const shapes: ShapeResult[] = [];
    for (const name of SHAPE_NAMES) {
      const shape: Shape = SHAPES[name];
      log(`--- ${name}: closed-loop ramp`);
      const maxC = shape.size === 1 ? 256 : 32;
      const rampRun = await ramp(
        name,
        async (c) => {
          const m = await measured(
            mon!,
            servicePid,
            port,
            () => closedLoop(target, corpus, shape, c, RAMP_STEP_S, ledger),
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
      for (const level of LEVELS) {
        const rate = Math.max(1, best.rps * level);
        const drainMs = await relayCaughtUp(db, watcher);
        const wallFrom = Date.now();
        const run = await measured(
          mon,
          servicePid,
          port,
          () => openLoop(target, corpus, shape, rate, OPEN_S, ledger),
          (r) => r.acceptedEvents,
          true,
        );
        const wallTo = Date.now();
        await watcher.waitFor(0, 0);
        await sleep(1500); // relay lag of the last events of the level
        const lag = watcher.lagBetween(wallFrom, wallTo);
        levels.push({
          ...run.result,
          level,
          measures: run.measures,
          relayLagMs: lag,
          relayBacklogDrainedBeforeMs: drainMs,
        });
        log(
          `  open ${Math.round(level * 100)}% (${Math.round(rate)} req/s): ${run.result.eventsPerSec} ev/s, p50 ${run.result.latency.p50} p99 ${run.result.latency.p99} p99.9 ${run.result.latency.p999} ms, codes ${JSON.stringify(run.result.codes)}, svc ${run.measures.cpuMsPer1kEvents.service} pg ${run.measures.cpuMsPer1kEvents.postgres} nats ${run.measures.cpuMsPer1kEvents.nats} ms/1k ev, WAL ${run.measures.walBytesPerEvent} B/ev, ${run.measures.pgTransactionsPer1kEvents} PG tx/1k ev, loop p99 ${run.measures.eventLoopP99Ms} ms, group commit p99 ${run.measures.groupCommitP99Ms} ms (wait before it p99 ${run.measures.groupCommitWaitP99Ms} ms), relay p99 ${lag.p99} ms (backlog drained ${drainMs} ms before)`,
        );
      }
      const check = await verify(name, db, ledger, watcher, streamName, jsm);
      log(
        `  correctness: ${check.pass ? 'PASS' : 'FAIL'} ${JSON.stringify({ missing: check.missing, faults: check.faults, stream: [check.streamMessages, check.tableRows], relayCatchUpMs: check.relayCatchUpMs })}`,
      );
      for (const ex of check.badExamples) log(`    ${ex}`);
      shapes.push({
        shape: name,
        ramp: rampRun.steps,
        saturation: best,
        levels,
        check,
      });
    }

    // Overload: 150% of the single-event saturation for 60 s, then 50% for 30 s, without a
    // pause; per 5 s window of intended send time. Through 2,048 connections (the server
    // sees the overload instead of a client-side queue).
    let overload: Overload | undefined;
    const single = shapes.find((s) => s.shape === 'single');
    if (OVERLOAD && single) {
      log('--- overload: 150% of single-event saturation for 60 s, then 50% for 30 s');
      const overPool = openPool(base, 2048);
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
              { rate: rps * 1.5, seconds: 60 },
              { rate: rps * 0.5, seconds: 30 },
            ],
            5,
            ledger,
          ),
        (r) => r.total.acceptedEvents,
      );
      await overPool.close();
      const check = await verify('overload', db, ledger, watcher, streamName, jsm);
      const recoveredAt = run.result.windows.find(
        (w) => w.fromSecond >= 60 && w.latency.p99 <= 50,
      )?.fromSecond;
      overload = {
        offeredRps: { over: Math.round(rps * 1.5), after: Math.round(rps * 0.5) },
        total: { ...run.result.total, measures: run.measures },
        windows: run.result.windows,
        recoveredWithinSeconds: recoveredAt === undefined ? null : recoveredAt - 60 + 5,
        check,
      };
      for (const w of run.result.windows)
        log(
          `  t=${w.fromSecond}s offered ${Math.round(w.offeredRps ?? 0)} req/s: p50 ${w.latency.p50} p99 ${w.latency.p99} ms, codes ${JSON.stringify(w.codes)}`,
        );
      log(
        `  overload: peak RSS ${run.measures.servicePeakRssMiB} MiB, p99 ≤ 50 ms again ${overload.recoveredWithinSeconds ?? 'never'} s after; ${check.pass ? 'PASS' : 'FAIL'}`,
      );
    }
    await pool.close();

    // ------------------------------------------------------------ baselines
    const baselines: Baselines = {};
    const baseCorpus = new Corpus({ seed: SEED, hubs, now });
    const events = baseCorpus.validEvents(BASELINE_ROWS);
    const postgresOnly = async (label: string, work: () => Promise<number>) => {
      const r = await measured(
        mon!,
        servicePid,
        undefined,
        async () => {
          const t = performance.now();
          const rows = await work();
          return { rows, seconds: (performance.now() - t) / 1000 };
        },
        (x) => x.rows,
      );
      const out = {
        rows: r.result.rows,
        seconds: round(r.result.seconds),
        rowsPerSec: Math.round(r.result.rows / r.result.seconds),
        cpuMsPer1kRows: {
          postgres: r.measures.cpuMsPer1kEvents.postgres,
          bench: r.measures.cpuMsPer1kEvents.bench,
        },
        walBytesPerRow: r.measures.walBytesPerEvent,
      };
      log(`${label}: ${JSON.stringify(out)}`);
      return out;
    };
    // Two connections each, as the service's group commit (two flushes at a time).
    const clients = [
      new pg.Client({ connectionString: dbUrl(dbName) }),
      new pg.Client({ connectionString: dbUrl(dbName) }),
    ];
    for (const c of clients) await c.connect();
    log('--- B0: binary COPY, 25,000 rows per COPY, 2 connections');
    const b0Table = await copyTable(db, 'events_b0');
    const groups = encodeCopies(events, 25_000);
    baselines.B0 = await postgresOnly('B0', () => copyInto(clients, b0Table, groups));
    log('--- B1: prepared unnest INSERT … ON CONFLICT, 500 rows, 2 connections');
    const b1Table = await copyTable(db, 'events_b1');
    baselines.B1 = await postgresOnly('B1', () => unnestInsert(clients, b1Table, events, 500));
    for (const c of clients) await c.end();

    log('--- B2: JetStream publish');
    for (const window of [1, 1000]) {
      const c0 = cpuSnapshot(servicePid);
      const r = await jetstreamPublish(nc, namespace, events, window, B2_SECONDS);
      const d = cpuDelta(c0, cpuSnapshot(servicePid), []);
      const out = {
        ...r,
        cpuMsPer1kMessages: {
          nats: round(d.nats / (r.messages / 1000), 1),
          bench: round(d.bench / (r.messages / 1000), 1),
        },
      };
      if (window === 1) baselines.B2_window1 = out;
      else baselines.B2_window1000 = out;
      log(`B2 window ${window}: ${JSON.stringify(out)}`);
    }

    const serverRamp = async (
      name: 'b3' | 'b4',
      script: string,
      env: Record<string, string>,
      maxC: number,
    ): Promise<ServerBaseline> => {
      const p = await freePort();
      const child = await startProcess(name, [script], { ...env, PORT: String(p) }, p);
      const pool = openPool(`http://127.0.0.1:${p}`);
      const t: Target = { ...target, pool };
      const c = new Corpus({ seed: `${SEED}:${name}`, hubs, now });
      const l = new Ledger();
      await closedLoop(t, c, SHAPES.single, 8, 2, l); // warm-up
      const r = await ramp(
        name,
        async (n) => {
          const m = await measured(
            mon!,
            child.pid!,
            p,
            () => closedLoop(t, c, SHAPES.single, n, RAMP_STEP_S, l),
            (x) => x.acceptedEvents,
          );
          return { ...m.result, measures: m.measures };
        },
        maxC,
        log,
      );
      await pool.close();
      await stopProcess(name);
      return { saturation: r.best, steps: r.steps };
    };
    log('--- B3: the service answering 202 without storing (single events)');
    baselines.B3 = await serverRamp('b3', 'bench/ingestion/b3-server.ts', serviceEnv, 256);
    log('--- B4: one MikroORM insert in its own transaction per request (single events)');
    await copyTable(db, 'events_b4');
    baselines.B4 = await serverRamp(
      'b4',
      'bench/ingestion/b4-server.ts',
      { DATABASE_URL: dbUrl(dbName) },
      256,
    );

    // ------------------------------------------------------------ report
    const noise = busiestSince(
      cpuBefore,
      new Set([process.pid, ...[...ourPids].filter((p) => p > 0)]),
    );
    const natsVersion = nc.info?.version ?? 'unknown';
    const meta: Meta = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      command: `npm run bench:ingestion${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      quick: QUICK,
      variant: VARIANT ?? null,
      seed: SEED,
      machine: {
        cpus: cpus().length,
        cpuModel: cpus()[0]?.model,
        memoryGiB: round(totalmem() / 1024 ** 3, 1),
        kernel: release(),
        loadBefore,
        loadAfter: loadAverage(),
        busiestProcessesDuringRun: noise.top,
        otherProcessesCpuSeconds: noise.othersCpuSeconds,
      },
      versions: { node: process.version, postgres: pgVersion, natsServer: natsVersion },
      postgresSettings: Object.fromEntries(settings.rows.map((r) => [r.name, r.setting])),
      serviceSettings: {
        defaults: 'as in services/ingestion/README.md, except:',
        overrides: serviceOverrides,
        rateLimit:
          'raised to 1e8/s per hub (the default 2,000/s per hub would answer 429 for the hottest hubs)',
      },
      contractVersion,
      corpus: {
        hubs: HUBS,
        widgets: WIDGETS,
        eventTypes: EVENT_TYPES.length,
        meanEventBytes: Math.round(
          events.reduce((s, e) => s + JSON.stringify(e).length, 0) / events.length,
        ),
        faultRates: FAULT_RATES,
        eventsGenerated: corpus.generated,
      },
      ledger: {
        accepted: ledger.accepted.size,
        statuses: ledger.statuses,
        unacknowledgedEvents: ledger.unacknowledgedEvents,
      },
    };
    const report: Report = {
      meta,
      shapes,
      baselines,
      overload,
      targets: targets(shapes, baselines, overload),
    };
    const md = markdown(report);
    await writePretty(join(resultsDir, `${stamp}.json`), JSON.stringify(report, null, 2));
    await writePretty(join(resultsDir, `${stamp}.md`), md);
    console.log(`\n${md}`);
    console.log(JSON.stringify({ targets: report.targets }, null, 2));
    log(`written: bench/ingestion/results/${stamp}.{json,md}`);
  } finally {
    await watcher.stop().catch(() => undefined);
    for (const name of [...children.keys()]) await stopProcess(name);
    if (CPU_PROF) {
      const dir = join(resultsDir, `${stamp}.prof`);
      try {
        const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          const summary = summariseProfile(readFileSync(join(dir, file), 'utf8'));
          await writePretty(join(resultsDir, `${stamp}.profile.md`), summary);
          console.log(`\n${summary}`);
        }
      } catch (error) {
        log(`profile summary failed: ${String(error)}`);
      }
    }
    await db?.end();
    await mon?.end();
    if (!KEEP) {
      await admin0.query(`drop database if exists "${dbName}" with (force)`);
      await dropStreams(jsm);
      log(`dropped ${dbName} and the ${namespace.toUpperCase()}_* streams`);
    } else log(`kept ${dbName} and namespace ${namespace}`);
    await admin0.end();
    await issuer.close();
    await nc.drain();
    logFile.end();
  }
}

// ---------------------------------------------------------------- targets and Markdown

interface Target7 {
  readonly target: string;
  readonly measured: string;
  readonly ratio: number | null;
  readonly goal: string;
  readonly met: boolean | null;
}

function targets(shapes: ShapeResult[], b: Baselines, overload: Overload | undefined): Target7[] {
  const by = (n: string) => shapes.find((s) => s.shape === n);
  const b0 = b.B0?.rowsPerSec;
  const b1 = b.B1?.rowsPerSec;
  const b3 = b.B3?.saturation.rps;
  const b4 = b.B4?.saturation.rps;
  const out: Target7[] = [];
  const ratio = (a: number | undefined, c: number | undefined) => (a && c ? round(a / c, 3) : null);
  const batch = by('batch500');
  if (batch) {
    const r0 = ratio(batch.saturation.eventsPerSec, b0);
    out.push({
      target: 'batch500 events/s vs B0 (COPY) rows/s',
      measured: `${batch.saturation.eventsPerSec} / ${b0}`,
      ratio: r0,
      goal: '≥ 0.30',
      met: r0 === null ? null : r0 >= 0.3,
    });
    const r1 = ratio(batch.saturation.eventsPerSec, b1);
    out.push({
      target: 'batch500 events/s vs B1 (unnest insert) rows/s',
      measured: `${batch.saturation.eventsPerSec} / ${b1}`,
      ratio: r1,
      goal: '≥ 0.5',
      met: r1 === null ? null : r1 >= 0.5,
    });
  }
  const single = by('single');
  if (single) {
    const r3 = ratio(single.saturation.rps, b3);
    out.push({
      target: 'single req/s vs B3 (no storing) req/s',
      measured: `${single.saturation.rps} / ${b3}`,
      ratio: r3,
      goal: '≥ 0.5',
      met: r3 === null ? null : r3 >= 0.5,
    });
    const half = single.levels.find((l) => l.level === 0.5);
    if (half)
      out.push({
        target: 'single p99 at 50% of saturation (open loop)',
        measured: `${half.latency.p99} ms`,
        ratio: round(half.latency.p99 / 50, 3),
        goal: '≤ 50 ms',
        met: half.latency.p99 <= 50,
      });
    const r4 = ratio(single.saturation.rps, b4);
    out.push({
      target: 'single req/s vs B4 (ORM, tx per request) req/s',
      measured: `${single.saturation.rps} / ${b4}`,
      ratio: r4,
      goal: '≥ 4',
      met: r4 === null ? null : r4 >= 4,
    });
  }
  let worst: { shape: string; p99: number } | undefined;
  for (const s of shapes) {
    const l = s.levels.find((x) => x.level === 0.7);
    if (l && (!worst || l.relayLagMs.p99 > worst.p99))
      worst = { shape: s.shape, p99: l.relayLagMs.p99 };
  }
  if (worst) {
    const keepsUp = shapes.every((s) => s.check.streamMatches);
    out.push({
      target: 'relay at 70% load: p99 lag (worst shape), keeps up',
      measured: `${worst.p99} ms (${worst.shape}), stream complete: ${keepsUp}`,
      ratio: round(worst.p99 / 1000, 3),
      goal: '< 1 s',
      met: worst.p99 < 1000 && keepsUp,
    });
  }
  if (overload) {
    const codes = overload.total.codes;
    const shed = (codes['429'] ?? 0) + (codes['503'] ?? 0);
    const recovered = overload.recoveredWithinSeconds;
    out.push({
      target: '150% of saturation for 60 s, then 50%',
      measured: `codes ${JSON.stringify(codes)}; peak RSS ${overload.total.measures.servicePeakRssMiB} MiB; acked lost: ${overload.check.missing}; p99 ≤ 50 ms again ${recovered === null ? 'not within the 30 s measured' : `${recovered} s after`}`,
      ratio: null,
      goal: '429/503 answered, nothing acked lost, p99 ≤ 50 ms within 30 s (memory: reported)',
      met: shed > 0 && overload.check.ackedStored && recovered !== null && recovered <= 30,
    });
  } else {
    out.push({
      target: '150% of saturation for 60 s, then 50%',
      measured: 'not run (--quick; add --overload)',
      ratio: null,
      goal: '429/503 answered, nothing acked lost, p99 ≤ 50 ms within 30 s',
      met: null,
    });
  }
  return out;
}

function markdown(report: Report): string {
  const { meta, shapes, targets: t } = report;
  const b = report.baselines;
  const lines: string[] = [];
  lines.push(
    `# Ingestion benchmark ${meta.startedAt}${meta.variant ? ` (service variant: ${meta.variant})` : ''}`,
    '',
  );
  lines.push(`\`${meta.command}\` — ${meta.durationSeconds} s, seed \`${meta.seed}\``, '');
  lines.push(
    `Machine: ${meta.machine.cpus} × ${meta.machine.cpuModel}, ${meta.machine.memoryGiB} GiB, Linux ${meta.machine.kernel}; load ${meta.machine.loadBefore} → ${meta.machine.loadAfter}.`,
  );
  lines.push(
    `Node ${meta.versions.node}; ${String(meta.versions.postgres).split(' on ')[0]} (${Object.entries(
      meta.postgresSettings,
    )
      .map(([k, v]) => `${k}=${String(v)}`)
      .join(', ')}); nats-server ${meta.versions.natsServer}.`,
  );
  lines.push(
    `Corpus: ${meta.corpus.hubs} hubs (Zipf 1.1), ${meta.corpus.widgets} widgets, ${meta.corpus.eventTypes} event types, mean event ${meta.corpus.meanEventBytes} B; faults ${JSON.stringify(meta.corpus.faultRates)}.`,
    '',
  );
  lines.push('## Service (closed-loop saturation, then open loop at % of it)', '');
  lines.push(
    '| shape | load | offered req/s | req/s | answers | committed ev/s | p50 ms | p90 ms | p99 ms | p99.9 ms | svc CPU ms/1k ev | PG CPU ms/1k ev | NATS CPU ms/1k ev | load gen CPU ms/1k ev | WAL B/ev | PG tx/1k ev | loop p99 ms | RSS peak MiB | relay lag p50/p99 ms | non-202 |',
  );
  lines.push('|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|---|');
  for (const s of shapes) {
    const m = s.saturation.measures;
    const sat = s.saturation;
    const non202 = (codes: Record<string, number>) =>
      Object.entries(codes)
        .filter(([c]) => c !== '202')
        .map(([c, n]) => `${c}:${n}`)
        .join(' ') || '0';
    lines.push(
      `| ${s.shape} | closed c=${sat.concurrency} | – | ${sat.rps} | ${sat.requests} | **${sat.eventsPerSec}** | ${sat.latency.p50} | ${sat.latency.p90} | ${sat.latency.p99} | ${sat.latency.p999} | ${m.cpuMsPer1kEvents.service} | ${m.cpuMsPer1kEvents.postgres} | ${m.cpuMsPer1kEvents.nats} | ${m.cpuMsPer1kEvents.bench} | ${m.walBytesPerEvent} | ${m.pgTransactionsPer1kEvents ?? '–'} | ${m.eventLoopP99Ms} | ${m.servicePeakRssMiB} | – | ${non202(sat.codes)} |`,
    );
    for (const l of s.levels) {
      const x = l.measures;
      lines.push(
        `| ${s.shape} | open ${Math.round(l.level * 100)}% | ${Math.round(l.offeredRps ?? 0)} | ${l.rps} | ${l.requests} | ${l.eventsPerSec} | ${l.latency.p50} | ${l.latency.p90} | ${l.latency.p99} | ${l.latency.p999} | ${x.cpuMsPer1kEvents.service} | ${x.cpuMsPer1kEvents.postgres} | ${x.cpuMsPer1kEvents.nats} | ${x.cpuMsPer1kEvents.bench} | ${x.walBytesPerEvent} | ${x.pgTransactionsPer1kEvents ?? '–'} | ${x.eventLoopP99Ms} | ${x.servicePeakRssMiB} | ${l.relayLagMs.p50}/${l.relayLagMs.p99} | ${non202(l.codes)} |`,
      );
    }
  }
  if (report.overload) {
    const o = report.overload;
    lines.push(
      '',
      `## Overload: ${o.offeredRps.over} req/s (150%) for 60 s, then ${o.offeredRps.after} req/s (50%) for 30 s, single events, 2,048 connections`,
      '',
      '| from s | offered req/s | answered | p50 ms | p99 ms | codes |',
      '|---|---|---|---|---|---|',
    );
    for (const w of o.windows)
      lines.push(
        `| ${w.fromSecond} | ${Math.round(w.offeredRps ?? 0)} | ${w.requests} | ${w.latency.p50} | ${w.latency.p99} | ${JSON.stringify(w.codes)} |`,
      );
    const m = o.total.measures;
    lines.push(
      '',
      `Service CPU ${m.cpuMsPer1kEvents.service}, Postgres ${m.cpuMsPer1kEvents.postgres}, NATS ${m.cpuMsPer1kEvents.nats}, load generator ${m.cpuMsPer1kEvents.bench} ms per 1,000 events; RSS ${m.serviceRssMiB} MiB at the end, peak ${m.servicePeakRssMiB} MiB; event-loop p99 ${m.eventLoopP99Ms} ms. Correctness after: ${o.check.pass ? 'PASS' : '**FAIL**'} (${o.check.missing} acknowledged events missing, stream ${o.check.streamMessages} messages / ${o.check.tableRows} rows).`,
    );
  }
  lines.push(
    '',
    '## Baselines (same database, same table definition and indexes, same durability)',
    '',
  );
  lines.push('| baseline | what | throughput | CPU ms/1k (PG / NATS / client) | WAL B/row |');
  lines.push('|---|---|---|---|---|');
  if (b.B0)
    lines.push(
      `| B0 | binary COPY, 25k rows per COPY, 2 conns | ${b.B0.rowsPerSec} rows/s | ${b.B0.cpuMsPer1kRows.postgres} / – / ${b.B0.cpuMsPer1kRows.bench} | ${b.B0.walBytesPerRow} |`,
    );
  if (b.B1)
    lines.push(
      `| B1 | prepared unnest INSERT … ON CONFLICT, 500/stmt, 2 conns | ${b.B1.rowsPerSec} rows/s | ${b.B1.cpuMsPer1kRows.postgres} / – / ${b.B1.cpuMsPer1kRows.bench} | ${b.B1.walBytesPerRow} |`,
    );
  for (const w of [1, 1000]) {
    const r = w === 1 ? b.B2_window1 : b.B2_window1000;
    if (r)
      lines.push(
        `| B2 | JetStream publish, ${w === 1 ? 'one at a time' : '1000 in flight'}, ${r.meanBytes} B msgs | ${r.perSec} msgs/s | – / ${r.cpuMsPer1kMessages.nats} / ${r.cpuMsPer1kMessages.bench} | – |`,
      );
  }
  if (b.B3)
    lines.push(
      `| B3 | service stack, auth + validation, 202 without storing (single) | ${b.B3.saturation.rps} req/s (c=${b.B3.saturation.concurrency}, p99 ${b.B3.saturation.latency.p99} ms) | ${b.B3.saturation.measures.cpuMsPer1kEvents.postgres} / ${b.B3.saturation.measures.cpuMsPer1kEvents.nats} / svc ${b.B3.saturation.measures.cpuMsPer1kEvents.service} | – |`,
    );
  if (b.B4)
    lines.push(
      `| B4 | Fastify + MikroORM, one insert per tx (single) | ${b.B4.saturation.rps} req/s (c=${b.B4.saturation.concurrency}, p99 ${b.B4.saturation.latency.p99} ms) | ${b.B4.saturation.measures.cpuMsPer1kEvents.postgres} / – / svc ${b.B4.saturation.measures.cpuMsPer1kEvents.service} | ${b.B4.saturation.measures.walBytesPerEvent} |`,
    );
  lines.push('', '## Targets (ratios in the same run)', '');
  lines.push('| target | measured | ratio | goal | met |');
  lines.push('|---|---|---|---|---|');
  for (const x of t)
    lines.push(
      `| ${x.target} | ${x.measured} | ${x.ratio ?? '–'} | ${x.goal} | ${x.met === null ? 'not measured' : x.met ? 'yes' : '**no**'} |`,
    );
  lines.push('', '## Correctness', '');
  lines.push(
    '| after | acked events stored | exactly once | faults refused with the right reason | stream = table | result |',
  );
  lines.push('|---|---|---|---|---|---|');
  for (const s of shapes) {
    const c = s.check;
    const f = Object.entries(c.faults)
      .map(([k, v]) => `${k} ${v.ok}/${v.ok + v.bad}`)
      .join(', ');
    lines.push(
      `| ${c.shape} | ${c.ackedStored ? 'yes' : `no (${c.missing} missing)`} (${c.storedUnacknowledged} stored unacked) | ${c.exactlyOnce ? 'yes' : 'no'} | ${c.faultsRefusedRight ? 'yes' : 'no'} (${f}) | ${c.streamMatches ? 'yes' : 'no'} (${c.streamMessages} msgs / ${c.tableRows} rows, caught up in ${c.relayCatchUpMs} ms) | ${c.pass ? 'PASS' : '**FAIL**'} |`,
    );
  }
  lines.push(
    '',
    `CPU used during the run, by process: ${meta.machine.busiestProcessesDuringRun.join(', ')}; other people's processes (not ours, postgres or nats-server): ${meta.machine.otherProcessesCpuSeconds} CPU-seconds in ${meta.durationSeconds} s.`,
    '',
  );
  return `${lines.join('\n')}\n`;
}

process.on('SIGINT', () => {
  // A second Ctrl-C leaves at once, without cleaning up.
  if (interrupted) process.exit(130);
  interrupted = true;
  for (const [, child] of children)
    if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGTERM');
  log(
    `interrupted: dropping ${dbName} and the ${namespace.toUpperCase()}_* streams (Ctrl-C again to leave them)`,
  );
  void (dropOnInterrupt?.() ?? Promise.resolve())
    .catch((error: unknown) => log(`could not drop them: ${String(error)}`))
    .finally(() => process.exit(130));
});

const render = option('render');
if (render) {
  // Re-renders the Markdown of a results JSON (same name, .md).
  const report = JSON.parse(readFileSync(render, 'utf8')) as Report;
  await writePretty(render.replace(/\.json$/, '.md'), markdown(report));
} else await main();
