/**
 * `npm run bench:deployment-outcomes` (issue 13): the outcome report of a deployment whose five
 * widgets sit in rollups of 10 million interaction events (target: 200 ms at p95), and the
 * interaction rollup's throughput (a backlog of events in IHF_EVENTS before the service starts,
 * counted until its watermark has applied them all). Not a test: it prints and records figures
 * in bench/deployment-outcomes/RESULTS.md.
 *
 * Each run has its own database and bus namespace (dropped at the end, also on failure and
 * Ctrl-C; `--keep` keeps them), seeded with `seed.sql`, and starts the service's executable
 * (`@ihf/deployment-outcomes-service`, which migrates its schema) as a process: requests go
 * over HTTP with a JWT of a test issuer whose JWKS the service trusts.
 *
 * `--smoke`: 100,000 events over one day of 5 widgets, 5 report requests, 2,000 published
 * events; the results file goes to a temporary folder. Both modes check that every report
 * answers 200 with one figure set per widget whose view counts equal the SQL's, and that the
 * rollup counted exactly the published events; the run exits non-zero otherwise.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { jetstream } from '@nats-io/jetstream';
import { TestTokenIssuer } from '@ihf/auth';
import { physicalSubject, STREAMS } from '@ihf/contracts';
import { provisionStreams } from '@ihf/messaging';
import { parseArgs } from '../lib/cli.ts';
import { describeMachine, writePretty } from '../lib/report.ts';
import { BenchSession, freePort, repoRoot } from '../lib/session.ts';
import { percentile, sleep } from '../lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs({
  usage: `npm run bench:deployment-outcomes [-- --smoke] [--keep]
  --smoke  tiny data, timings not judged (what CI runs)
  --keep   keep the database and streams for inspection`,
  flags: ['smoke', 'keep'],
});
const SMOKE = args.flag('smoke');
const BUDGET_MS = 200;
const SIZE = SMOKE
  ? { widgets: 5, days: 1, events: 100_000, published: 2_000 }
  : { widgets: 50, days: 14, events: 10_000_000, published: 200_000 };
const ITERATIONS = SMOKE ? 5 : Number(process.env.BENCH_ITERATIONS ?? 200);
const WARM_UP = SMOKE ? 2 : 20;
const DAY = 86_400_000;

const session = new BenchSession({
  name: 'deployment-outcomes',
  resultsDir: join(here, 'results'),
  smoke: SMOKE,
  keep: args.flag('keep'),
});
const log = (line: string) => session.log(line);

const u = async (db: pg.Client, name: string): Promise<string> =>
  (
    await db.query<{ id: string }>(
      `select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid as id`,
      [name],
    )
  ).rows[0].id;

interface Figure {
  widget_id: string;
  signal_type: string;
  details: Record<string, number>;
}

async function main(): Promise<string> {
  await session.createDatabase();
  const issuer = await TestTokenIssuer.start();
  const port = await freePort();

  // Rollup throughput on a backlog: the events are in IHF_EVENTS before the service starts, so
  // the time until its watermark has applied all of them is the rollup's own pace (it includes
  // the service's start and migration: a conservative figure).
  await provisionStreams(await session.jsm(), session.namespace, [STREAMS.IHF_EVENTS], 'owner');
  const js = jetstream(await session.nats());
  const backlogWidget = randomUUID();
  const hubId = randomUUID();
  const subject = physicalSubject(session.namespace, 'ihf.ingestion.interaction.recorded.v1');
  let started = Date.now();
  for (let i = 0; i < SIZE.published; i += 1_000) {
    const window: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(i + 1_000, SIZE.published); j++) {
      const now = new Date().toISOString();
      const event_id = randomUUID();
      window.push(
        js.publish(
          subject,
          JSON.stringify({
            event_id,
            type: 'ihf.ingestion.interaction.recorded.v1',
            version: 1,
            occurred_at: now,
            producer: 'ingestion',
            correlation_id: event_id,
            causation_id: null,
            hub_id: hubId,
            payload: {
              event_id,
              hub_id: hubId,
              widget_id: backlogWidget,
              widget_version: 1,
              event_type: j % 10 === 0 ? 'submit' : 'view',
              actor_id: null,
              actor_type: 'user',
              view_context_ref: null,
              metadata: { session_id: `s${j % 1000}` },
              occurred_at: now,
              received_at: now,
            },
          }),
          { msgID: event_id },
        ),
      );
    }
    await Promise.all(window);
  }
  const publishedS = (Date.now() - started) / 1000;
  log(
    `backlog: ${SIZE.published.toLocaleString('en')} events in IHF_EVENTS (${publishedS.toFixed(1)} s)`,
  );
  started = Date.now();
  await session.startProcess(
    'deployment-outcomes',
    [createRequire(join(repoRoot, 'package.json')).resolve('@ihf/deployment-outcomes-service')],
    {
      DATABASE_URL: session.dbUrl(),
      NATS_URL: session.natsUrl,
      IHF_NATS_NAMESPACE: session.namespace,
      IHF_JWKS_URL: issuer.jwksUrl,
      HOST: '127.0.0.1',
      PORT: String(port),
      LOG_LEVEL: 'warn',
      SHUTDOWN_GRACE_MS: '500',
    },
    port,
  );
  const base = `http://127.0.0.1:${port}`;
  const db = new pg.Client({ connectionString: session.dbUrl() });
  await db.connect();
  try {
    let applied = 0;
    // The pace between the first committed batch and the last, without the service's start.
    let first: { at: number; applied: number } | undefined;
    while (applied < SIZE.published) {
      const { rows } = await db.query<{ applied: string }>(
        `select applied from deployment.rollup_watermarks where feed = 'interactions'`,
      );
      applied = Number(rows[0]?.applied ?? 0);
      if (applied > 0 && !first) first = { at: Date.now(), applied };
      if (Date.now() - started > 600_000) throw new Error(`rollup stuck at ${applied}`);
      if (applied < SIZE.published) await sleep(50);
    }
    const drainS = (Date.now() - started) / 1000;
    const paceS = (Date.now() - first!.at) / 1000;
    // A backlog applied in its first batch (smoke) has no pace to report.
    const pace =
      first!.applied < SIZE.published && paceS > 0
        ? String(Math.round((SIZE.published - first!.applied) / paceS))
        : 'n/a';
    const { rows: counted } = await db.query<{ n: string }>(
      `select sum(events) as n from deployment.interaction_rollups where widget_id = $1`,
      [backlogWidget],
    );
    if (applied !== SIZE.published || Number(counted[0].n) !== SIZE.published)
      throw new Error(`rollup counted ${counted[0].n} (watermark ${applied}) of ${SIZE.published}`);
    const rate = Math.round(SIZE.published / drainS);
    log(
      `rollup: backlog of ${SIZE.published} counted ${drainS.toFixed(1)} s after the service was spawned (${rate} events/s); ${pace} events/s from its first batch to its last`,
    );

    log(
      `seeding (${SIZE.events.toLocaleString('en')} events, ${SIZE.widgets} widgets, ${SIZE.days} days)...`,
    );
    started = Date.now();
    await db.query(
      `set bench.widgets = ${SIZE.widgets}; set bench.days = ${SIZE.days}; set bench.events = ${SIZE.events};\n` +
        readFileSync(join(here, 'seed.sql'), 'utf8'),
    );
    await db.query('vacuum analyze');
    const seeded = (
      await db.query<{ events: string; rows: string }>(
        `select sum(events) as events, count(*) as rows from deployment.interaction_rollups
         where hub_id = $1`,
        [await u(db, 'hub0')],
      )
    ).rows[0];
    log(
      `seeded ${Number(seeded.events).toLocaleString('en')} events in ${Number(seeded.rows).toLocaleString('en')} rollup rows, ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );

    const hub = await u(db, 'hub0');
    const token = issuer.sign({ sub: randomUUID(), roles: ['governor'], hubs: [hub] });
    const call = async <T>(method: string, path: string, body?: unknown): Promise<T> => {
      const res = await fetch(base + path, {
        method,
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const text = await res.text();
      if (res.status >= 300) throw new Error(`${method} ${path}: ${res.status} ${text}`);
      return JSON.parse(text) as T;
    };
    // Half-way through the seeded period, windows of half of it: the after-window is open, so
    // every report computes its figures from the rollups (the expensive path).
    const half = (SIZE.days * DAY) / 2;
    const deployedAt = new Date(Date.now() - half);
    const named: string[] = [];
    for (const i of [1, 2, 3, 4]) named.push(await u(db, `widget${i}`));
    const deployment = await call<{ id: string; widgets: { widget_id: string }[] }>(
      'POST',
      `/api/v1/hubs/${hub}/deployments`,
      {
        decision_id: await u(db, 'decision0'),
        version_ref: 'v2',
        environment: 'production',
        deployed_at: deployedAt.toISOString(),
        widget_ids: named,
        before_window_days: Math.max(1, Math.floor(SIZE.days / 2)),
        after_window_days: Math.max(1, Math.floor(SIZE.days / 2)),
        ratios: [{ numerator: 'submit', denominator: 'view' }],
      },
    );
    if (deployment.widgets.length !== 5)
      throw new Error(`expected 5 widgets, got ${deployment.widgets.length}`);

    // Correctness: the served before-window view counts equal the SQL's.
    const report = await call<{ figures: Figure[] }>(
      'GET',
      `/api/v1/deployments/${deployment.id}/outcome`,
    );
    const beforeStart = new Date(
      deployedAt.getTime() - Math.max(1, Math.floor(SIZE.days / 2)) * DAY,
    );
    for (const f of report.figures.filter((x) => x.signal_type === 'rate_per_hour:view')) {
      const { rows } = await db.query<{ n: string }>(
        `select coalesce(sum(events), 0) as n from deployment.interaction_rollups
         where widget_id = $1 and event_type = 'view' and minute >= $2 and minute < $3`,
        [f.widget_id, beforeStart, deployedAt],
      );
      if (Number(rows[0].n) !== f.details.before_count)
        throw new Error(
          `widget ${f.widget_id}: served ${f.details.before_count} views, SQL ${rows[0].n}`,
        );
    }
    const widgetsWithFigures = new Set(report.figures.map((f) => f.widget_id));
    if (widgetsWithFigures.size !== 5)
      throw new Error(`figures for ${widgetsWithFigures.size} widgets`);

    const samples: number[] = [];
    for (let i = 0; i < ITERATIONS + WARM_UP; i++) {
      const t = process.hrtime.bigint();
      await call('GET', `/api/v1/deployments/${deployment.id}/outcome`);
      if (i >= WARM_UP) samples.push(Number(process.hrtime.bigint() - t) / 1e6);
    }
    samples.sort((a, b) => a - b);
    const p = (q: number) => percentile(samples, q);
    log(
      `outcome report: p50 ${p(50).toFixed(1)} ms, p95 ${p(95).toFixed(1)} ms, max ${samples[samples.length - 1].toFixed(1)} ms`,
    );

    return [
      '# Deployment-outcomes benchmark: outcome report and rollup throughput',
      '',
      `Recorded by \`npm run bench:deployment-outcomes${SMOKE ? ' -- --smoke' : ''}\` on ${new Date().toISOString()}.`,
      `Machine: ${describeMachine()}; shared with other work (load not controlled).`,
      `Data: ${Number(seeded.events).toLocaleString('en')} interaction events in ${Number(seeded.rows).toLocaleString('en')} rollup rows ` +
        `(${SIZE.widgets} widgets, ${SIZE.days} days, per minute and event type; seed.sql), a deployment of 5 widgets with open after-window.`,
      '',
      '| measure | value |',
      '| --- | ---: |',
      `| outcome report, ${samples.length} sequential requests: p50 / p95 / max ms | ${p(50).toFixed(1)} / ${p(95).toFixed(1)} / ${samples[samples.length - 1].toFixed(1)} |`,
      `| within ${BUDGET_MS} ms at p95 | ${p(95) <= BUDGET_MS ? 'yes' : '**no**'} |`,
      `| rollup: backlog in IHF_EVENTS before the service starts | ${SIZE.published.toLocaleString('en')} events (published in ${publishedS.toFixed(1)} s) |`,
      `| rollup: backlog counted (service spawn → watermark, start and migration included) | ${drainS.toFixed(1)} s, ${rate} events/s |`,
      `| rollup: pace from its first committed batch to its last | **${pace} events/s** (${paceS.toFixed(1)} s) |`,
      '',
      "Ingestion's closed-loop single-event saturation on this kind of machine was about 2,500 " +
        'committed events/s (bench/ingestion results of 2026-11-28, not this run).',
      '',
    ].join('\n');
  } finally {
    await db.end();
    await issuer.close();
  }
}

let passed = false;
try {
  log(
    `deployment-outcomes benchmark ${SMOKE ? '(smoke) ' : ''}db=${session.dbName} namespace=${session.namespace}`,
  );
  const text = await main();
  await writePretty(join(SMOKE ? session.resultsDir : here, 'RESULTS.md'), text);
  passed = true;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await session.close(passed);
}
