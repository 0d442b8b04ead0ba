/**
 * `npm run bench:ingestion` (issue 7): the ingestion service's reporting endpoint under load,
 * with its baselines B0–B4, in one run. Not a test; see bench/ingestion/README.md.
 *
 * Flags: --quick (under 3 minutes, no overload phase), --smoke (tiny data, about a minute, every
 * phase on the same code paths; exits non-zero when it cannot run to the end or a correctness
 * check fails; what CI runs), --cpu-prof (profile the service, summarise top frames),
 * --overload (with --quick: 150% of saturation for 60 s, then 50%), --pipeline (with --quick:
 * deployment-outcomes' rollup and feedback running, lag 202 → rollup), --seed=<text>, --keep
 * (keep the database and streams for inspection). Env: DATABASE_URL, NATS_URL (defaults as
 * everywhere). The modules: settings (flags and sizes), setup, corpus, load (shapes and
 * loops), phases, check (correctness), baselines, report; ../lib the parts any benchmark uses.
 */
import { randomUUID } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import { parseArgs } from '../lib/cli.ts';
import { busiestSince, loadAverage, processCpu } from '../lib/proc.ts';
import { summariseProfile } from '../lib/profile.ts';
import { OtlpSink } from '../lib/otlp-sink.ts';
import { machineInfo, writePretty } from '../lib/report.ts';
import { BenchSession, freePort } from '../lib/session.ts';
import { round } from '../lib/util.ts';
import { runBaselines, serviceMain } from './baselines.ts';
import { Checker } from './check.ts';
import { Corpus, EVENT_TYPES } from './corpus.ts';
import { closedLoop, Ledger, openPool, ramp, SHAPES, type Target } from './load.ts';
import { type PhaseContext, runOverload, runShape } from './phases.ts';
import { type PipelineResult, runPipeline } from './pipeline.ts';
import { RelayWatcher } from './relay.ts';
import {
  markdown,
  type Meta,
  type Overload,
  type Report,
  type ShapeResult,
  targets,
} from './report.ts';
import { settingsFrom } from './settings.ts';
import { ensureContract, register } from './setup.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs({
  usage: `npm run bench:ingestion [-- flags]
  (none)                  the full run, about 13 minutes
  --quick                 3 s levels, no overload or pipeline phase, under 3 minutes
  --smoke                 tiny data, every phase, figures meaningless (what CI runs)
  --shapes=a,b            only these shapes (single, batch50, batch500, batch500gz)
  --overload              with --quick: the overload phase too
  --pipeline              with --quick: the pipeline phase too
  --cpu-prof              profile the service and summarise its top frames
  --trace-gc              log the service's garbage collections
  --tracing=always_on|r   the service traces (sampler always_on or ratio r) to a stand-in receiver
  --service-node-flags=…  V8/Node flags for the service only
  --variant=no-async-traces  an experiment's variant of the service
  --seed=text             the corpus seed (default ihf-bench-7)
  --keep                  keep the database and streams for inspection
  --render=file.json      re-render a results file's Markdown, run nothing
Env: DATABASE_URL, NATS_URL; INGESTION_* and OTEL_* are passed to the service.`,
  flags: ['quick', 'smoke', 'overload', 'pipeline', 'cpu-prof', 'trace-gc', 'keep'],
  options: ['shapes', 'tracing', 'service-node-flags', 'variant', 'seed', 'render'],
});
const argv = args.argv;

/**
 * INGESTION_* variables set when the benchmark runs, passed on to the service; OTEL_* too, so
 * that the reporting path can be measured with tracing on (README, "Tracing on and off").
 */
const serviceOverrides: Record<string, string> = Object.fromEntries(
  Object.entries(process.env).filter(
    (e): e is [string, string] =>
      (e[0].startsWith('INGESTION_') || e[0].startsWith('OTEL_')) && e[1] !== undefined,
  ),
);

/** Runs the benchmark; true when every correctness check passed. */
async function main(): Promise<boolean> {
  const s = settingsFrom(args);
  const session = new BenchSession({
    name: 'ingestion',
    resultsDir: join(here, 'results'),
    smoke: s.smoke,
    keep: s.keep,
  });
  const log = (line: string) => session.log(line);
  const started = Date.now();
  const cpuBefore = processCpu();
  const loadBefore = loadAverage();
  const mode = s.smoke ? '(smoke) ' : s.quick ? '(quick) ' : '';
  log(
    `ingestion benchmark ${mode}seed=${s.seed} db=${session.dbName} namespace=${session.namespace}`,
  );
  log(`load before: ${loadBefore}`);
  const admin0 = await session.admin();
  await session.createDatabase();
  const nc = await session.nats();
  const jsm = await session.jsm();
  const issuer = await TestTokenIssuer.start();
  let db: pg.Client | undefined;
  let mon: pg.Client | undefined;
  const watcher = new RelayWatcher();
  let sink: OtlpSink | undefined;
  let passed = false;
  try {
    const settings = await admin0.query<{ name: string; setting: string }>(
      `select name, setting from pg_settings where name in
        ('fsync','synchronous_commit','wal_level','full_page_writes','shared_buffers','max_wal_size','wal_compression','commit_delay','checkpoint_timeout')`,
    );
    const pgVersion = (await admin0.query<{ v: string }>('select version() as v')).rows[0].v;
    const port = await freePort();
    if (s.tracing) sink = await OtlpSink.start();
    const serviceEnv: Record<string, string> = {
      DATABASE_URL: session.dbUrl(),
      NATS_URL: session.natsUrl,
      IHF_NATS_NAMESPACE: session.namespace,
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
      ...(s.tracing && sink
        ? {
            OTEL_EXPORTER_OTLP_ENDPOINT: sink.url,
            OTEL_TRACES_SAMPLER: s.tracing.sampler,
            ...(s.tracing.sampler === 'traceidratio'
              ? { OTEL_TRACES_SAMPLER_ARG: String(s.tracing.ratio) }
              : {}),
          }
        : {}),
    };
    const profDir = join(session.resultsDir, `${session.stamp}.prof`);
    const service = await session.startProcess(
      'ingestion',
      [
        ...(s.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profDir}`] : []),
        // GC pauses into the service's log (`<timestamp>.ingestion.log`).
        ...(s.traceGc ? ['--trace-gc'] : []),
        ...(s.variant ? ['--import', `./bench/ingestion/variant-${s.variant}.ts`] : []),
        ...s.serviceNodeFlags,
        serviceMain(),
      ],
      { ...serviceEnv, PORT: String(port) },
      port,
    );
    const servicePid = service.pid!;
    db = new pg.Client({ connectionString: session.dbUrl() });
    mon = new pg.Client({ connectionString: session.dbUrl() });
    for (const c of [db, mon]) {
      // Dropping the database on Ctrl-C ends these sessions: not a reason to crash.
      c.on('error', (error) => {
        if (!session.interrupted) log(`benchmark session error: ${String(error)}`);
      });
      await c.connect();
    }
    const base = `http://127.0.0.1:${port}`;
    const admin = { base, token: issuer.sign({ sub: randomUUID(), roles: ['admin'] }) };
    const contractVersion = await ensureContract(admin, log);
    const t0 = Date.now();
    const hubs = await register(admin, db, s);
    log(
      `registered ${s.hubs} hubs + keys (API) and ${s.widgets} widgets (SQL) in ${round((Date.now() - t0) / 1000, 1)} s`,
    );
    const streamName = `${session.namespace.toUpperCase()}_IHF_EVENTS`;
    await watcher.start(nc, streamName);
    const now = Date.now();
    const corpus = new Corpus({ seed: s.seed, hubs, now, faultRates: s.faultRates });
    const ledger = new Ledger();
    const pool = openPool(base);
    const target: Target = {
      pool,
      path: '/api/v1/interaction-events',
      keys: hubs.map((h) => h.key),
    };
    const ctx: PhaseContext = {
      session,
      settings: s,
      db,
      mon,
      servicePid,
      port,
      base,
      target,
      corpus,
      ledger,
      watcher,
      checker: new Checker(db, ledger, watcher, streamName, jsm),
    };

    // Warm-up (JIT, caches, pools): not measured, but booked in the ledger.
    await ramp(
      'warm-up',
      (c) => closedLoop(target, corpus, SHAPES.batch50, c, s.warmUpSeconds, ledger),
      Math.min(4, s.maxClients.batch),
      () => undefined,
    );
    log(
      `warm-up done: ${ledger.accepted.size} events accepted, codes ${JSON.stringify(ledger.statuses)}`,
    );

    const shapes: ShapeResult[] = [];
    for (const name of s.shapeNames) shapes.push(await runShape(ctx, name));
    let overload: Overload | undefined;
    const single = shapes.find((x) => x.shape === 'single');
    if (s.overload && single) overload = await runOverload(ctx, single);
    let pipeline: PipelineResult | undefined;
    if (s.pipeline && single)
      pipeline = await runPipeline(ctx, single, { hubs, jwksUrl: issuer.jwksUrl });
    else if (s.pipeline) log('pipeline: not run (needs the single shape for its saturation)');
    await pool.close();

    const { baselines, meanEventBytes } = await runBaselines(ctx, hubs, now, serviceEnv);

    // ------------------------------------------------------------ report
    const noise = busiestSince(
      cpuBefore,
      new Set([process.pid, ...[...session.ourPids].filter((p) => p > 0)]),
    );
    const natsVersion = nc.info?.version ?? 'unknown';
    const meta: Meta = {
      startedAt: new Date(started).toISOString(),
      durationSeconds: Math.round((Date.now() - started) / 1000),
      command: `npm run bench:ingestion${argv.length ? ` -- ${argv.join(' ')}` : ''}`,
      quick: s.quick,
      smoke: s.smoke,
      variant: s.variant ?? null,
      ...(s.tracing && sink
        ? {
            tracing: {
              sampler:
                s.tracing.sampler === 'always_on' ? 'always_on' : `traceidratio ${s.tracing.ratio}`,
              exports: sink.exports,
              megabytes: round(sink.bytes / 1e6, 1),
            },
          }
        : {}),
      seed: s.seed,
      machine: {
        ...machineInfo(),
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
        hubs: s.hubs,
        widgets: s.widgets,
        eventTypes: EVENT_TYPES.length,
        meanEventBytes,
        faultRates: s.faultRates,
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
      pipeline,
      targets: targets(shapes, baselines, overload, pipeline),
    };
    const md = markdown(report);
    await writePretty(
      join(session.resultsDir, `${session.stamp}.json`),
      JSON.stringify(report, null, 2),
    );
    await writePretty(join(session.resultsDir, `${session.stamp}.md`), md);
    console.log(`\n${md}`);
    console.log(JSON.stringify({ targets: report.targets }, null, 2));
    log(`written: ${join(session.resultsDir, session.stamp)}.{json,md}`);
    const failed = [
      ...shapes.map((x) => x.check),
      ...(overload ? [overload.check] : []),
      ...(pipeline ? [pipeline.check] : []),
    ].filter((c) => !c.pass);
    for (const c of failed) log(`correctness FAILED after ${c.shape}`);
    passed = failed.length === 0;
    return passed;
  } finally {
    await watcher.stop().catch(() => undefined);
    await session.stopProcesses();
    await sink?.stop();
    if (s.cpuProf) {
      const dir = join(session.resultsDir, `${session.stamp}.prof`);
      try {
        const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
        if (file) {
          const summary = summariseProfile(readFileSync(join(dir, file), 'utf8'));
          await writePretty(join(session.resultsDir, `${session.stamp}.profile.md`), summary);
          console.log(`\n${summary}`);
        }
      } catch (error) {
        log(`profile summary failed: ${String(error)}`);
      }
    }
    await db?.end();
    await mon?.end();
    await issuer.close();
    await session.close(passed);
  }
}

const render = args.option('render');
if (render) {
  // Re-renders the Markdown of a results JSON (same name, .md).
  const report = JSON.parse(readFileSync(render, 'utf8')) as Report;
  await writePretty(render.replace(/\.json$/, '.md'), markdown(report));
} else if (!(await main())) process.exitCode = 1;
