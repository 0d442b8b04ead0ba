/**
 * `npm run bench:feedback` (issue 5): the triage queue and candidate history against 1,000,000
 * annotations and 100,000 requirement candidates (first page of a filtered queue and a
 * candidate's history within 50 ms at p95). Not a test: it prints and records timings and the
 * query plans in bench/feedback/RESULTS.md.
 *
 * Needs Postgres and NATS (DATABASE_URL / NATS_URL, defaults as everywhere) and a build (the npm
 * script builds first). Uses its own database (BENCH_DATABASE, default ihf_bench_feedback), kept
 * between runs so the ~1 min seed runs once; BENCH_RESEED=1 rebuilds it. BENCH_ITERATIONS
 * (default 200) requests per scenario, after 20 warm-up requests.
 *
 * `--smoke`: a fresh database with 10,000 annotations and 1,500 candidates, 5 requests per
 * scenario; dropped at the end, RESULTS.md untouched, speed not judged. Both modes check that
 * every request succeeds and that each queue page and its counts are what the SQL whose plan is
 * recorded returns; the run exits non-zero otherwise.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import {
  buildTriageQueueSql,
  CANDIDATE_HISTORY_SQL,
  FeedbackConfig,
  feedbackAppOptions,
  migrateFeedback,
} from '@ihf/feedback-service';
import { withDatabase } from '@ihf/persistence';
import { createServiceApp, decodeCursor, loadConfig } from '@ihf/platform';
import { parseArgs } from '../lib/cli.ts';
import { describeMachine, writePretty } from '../lib/report.ts';
import { BenchSession } from '../lib/session.ts';
import { percentile } from '../lib/util.ts';

type App = Awaited<ReturnType<typeof createServiceApp>>;
type QueueUser = Parameters<typeof buildTriageQueueSql>[0];
type QueueQuery = Parameters<typeof buildTriageQueueSql>[1] & { cursor?: string };

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs({
  usage: `npm run bench:feedback [-- --smoke] [--keep]
  --smoke  tiny data, timings not judged (what CI runs)
  --keep   keep the database and streams for inspection`,
  flags: ['smoke', 'keep'],
});
const SMOKE = args.flag('smoke');
const BUDGET_MS = 50;
/** Rows the seed writes (full run: the sizes of issue 5). */
const SIZE = SMOKE
  ? { annotations: 10_000, candidates: 1_500 }
  : { annotations: 1_000_000, candidates: 100_000 };
const ITERATIONS = SMOKE ? 5 : Number(process.env.BENCH_ITERATIONS ?? 200);
const WARM_UP = SMOKE ? 2 : 20;

const session = new BenchSession({
  name: 'feedback',
  resultsDir: join(here, 'results'),
  smoke: SMOKE,
  keep: args.flag('keep'),
});
const log = (line: string) => session.log(line);
/** The smoke run's database is its own; the full run keeps its seeded one between runs. */
const databaseUrl = SMOKE
  ? session.dbUrl()
  : withDatabase(session.serverUrl, process.env.BENCH_DATABASE ?? 'ihf_bench_feedback');

const md5uuid = async (db: pg.Client, text: string): Promise<string> =>
  (
    await db.query<{ id: string }>(
      `select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid as id`,
      [text],
    )
  ).rows[0].id;

async function withClient<T>(url: string, work: (db: pg.Client) => Promise<T>): Promise<T> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function seed(): Promise<void> {
  log(`seeding (${SIZE.annotations} annotations, ${SIZE.candidates} candidates)...`);
  const started = Date.now();
  // The seed reads its sizes from these settings of its session.
  const sizes = `set bench.annotations = ${SIZE.annotations}; set bench.candidates = ${SIZE.candidates};\n`;
  await withClient(databaseUrl, (db) =>
    db.query(sizes + readFileSync(join(here, 'seed.sql'), 'utf8')),
  );
  // As autovacuum would soon after: statistics and the visibility map (index-only scans).
  await withClient(databaseUrl, (db) => db.query('vacuum analyze'));
  log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function prepareDatabase(): Promise<void> {
  if (SMOKE) {
    await session.createDatabase();
    await migrateFeedback(databaseUrl);
    await seed();
    return;
  }
  const name = new URL(databaseUrl).pathname.slice(1);
  const admin = await session.admin();
  if (process.env.BENCH_RESEED === '1') {
    await admin.query(`drop database if exists "${name}" with (force)`);
  }
  const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
  if (found.rowCount === 0) await admin.query(`create database "${name}"`);
  const exists = (found.rowCount ?? 0) > 0;
  await migrateFeedback(databaseUrl);
  const counts = await withClient(databaseUrl, async (db) => {
    const { rows } = await db.query<{ annotations: number; candidates: number }>(
      `select (select count(*) from feedback.annotations)::int as annotations,
              (select count(*) from feedback.requirement_candidates)::int as candidates`,
    );
    return rows[0];
  });
  if (exists && counts.annotations >= SIZE.annotations && counts.candidates >= SIZE.candidates) {
    log(`reusing ${name}: ${JSON.stringify(counts)}`);
    return;
  }
  if (counts.annotations > 0 || counts.candidates > 0) {
    throw new Error(
      `${name} holds partial data ${JSON.stringify(counts)}: rerun with BENCH_RESEED=1`,
    );
  }
  await seed();
}

interface Timing {
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

async function get(app: App, token: string, url: string): Promise<unknown> {
  const res = await app.inject({
    method: 'GET',
    url,
    headers: { authorization: `Bearer ${token}` },
  });
  if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
  return res.json();
}

async function time(app: App, token: string, urlOf: (i: number) => string): Promise<Timing> {
  const samples: number[] = [];
  for (let i = 0; i < ITERATIONS + WARM_UP; i++) {
    const started = process.hrtime.bigint();
    await get(app, token, urlOf(i));
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (i >= WARM_UP) samples.push(ms);
  }
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1],
  };
}

/** `?` placeholders (as MikroORM takes them) to `$n` for pg. */
function numbered(sql: string): string {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function explain(db: pg.Client, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    `explain (analyze, buffers, costs off) ${numbered(sql)}`,
    params,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

interface Result {
  name: string;
  timing: Timing;
  plans: [string, string][];
}

interface QueuePage {
  items: { id: string }[];
  counts: Record<string, number>;
  next_cursor?: string | null;
}

/**
 * The queue page and counts the API served are those of the SQL whose plan is recorded (the
 * benchmark measures what it explains), for a page of `limit` rows.
 */
async function checkQueue(
  name: string,
  served: QueuePage,
  db: pg.Client,
  sql: ReturnType<typeof buildTriageQueueSql>,
  limit: number,
): Promise<void> {
  const page = await db.query<{ id: string }>(numbered(sql.pageSql), sql.pageParams);
  const expected = page.rows.slice(0, limit).map((r) => r.id);
  const got = served.items.map((i) => i.id);
  if (JSON.stringify(got) !== JSON.stringify(expected))
    throw new Error(
      `queue: ${name}: served ids ${got.join(',')} but the SQL gives ${expected.join(',')}`,
    );
  const counted = await db.query<{ status: string; n: number }>(
    numbered(sql.countSql),
    sql.countParams,
  );
  for (const { status, n } of counted.rows)
    if (served.counts[status] !== n)
      throw new Error(
        `queue: ${name}: served ${served.counts[status]} ${status}, the SQL counts ${n}`,
      );
}

async function main(): Promise<void> {
  await prepareDatabase();
  const issuer = await TestTokenIssuer.start();
  const vars = {
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    NATS_URL: session.natsUrl,
    IHF_NATS_NAMESPACE: session.namespace,
    IHF_JWKS_URL: issuer.jwksUrl,
  };
  const app = await createServiceApp({
    ...feedbackAppOptions(loadConfig(FeedbackConfig, vars), vars),
    config: FeedbackConfig,
  });
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const hub = await md5uuid(db, 'hub0');
    const widget = await md5uuid(db, 'widget10');
    const reviewer = await md5uuid(db, 'reviewer10');
    const triager: QueueUser = {
      id: randomUUID(),
      roles: ['triager'],
      hubIds: [hub],
      kind: 'user',
    };
    const admin: QueueUser = { id: randomUUID(), roles: ['admin'], hubIds: [], kind: 'user' };
    const threeHubs: QueueUser = {
      id: randomUUID(),
      roles: ['triager'],
      hubIds: [hub, await md5uuid(db, 'hub1'), await md5uuid(db, 'hub2')],
      kind: 'user',
    };
    const tokenOf = (u: QueueUser) =>
      issuer.sign({ sub: u.id, roles: [...u.roles], hubs: [...u.hubIds] });
    const { rows: hubCandidates } = await db.query<{ id: string }>(
      `select id from feedback.requirement_candidates where hub_id = $1 order by md5(id::text) limit 500`,
      [hub],
    );
    const firstPage = (await get(
      app,
      tokenOf(triager),
      `/api/v1/triage/queue?hub_id=${hub}&status=open&limit=50`,
    )) as QueuePage;
    const cursor = firstPage.next_cursor ?? undefined;
    if (!cursor) throw new Error('the first page of hub0 open candidates has no next page');

    const queue: [string, QueueQuery, QueueUser?][] = [
      ['hub, status=open', { hub_id: hub, status: ['open'] }],
      [
        'hub, status=open,in_review, severity=critical,high',
        { hub_id: hub, status: ['open', 'in_review'], severity: ['critical', 'high'] },
      ],
      ['hub, widget', { hub_id: hub, widget_id: widget }],
      ['hub, category=bug, assignee', { hub_id: hub, category: ['bug'], assignee: reviewer }],
      ['hub, assignee=none, status=open', { hub_id: hub, assignee: 'none', status: ['open'] }],
      ['hub, text "checkout dialog"', { hub_id: hub, q: 'checkout dialog' }],
      ['hub, status=open, second page', { hub_id: hub, status: ['open'], cursor }],
      ['member of 3 hubs, no hub filter, status=open', { status: ['open'] }, threeHubs],
      ['admin, all hubs, status=open', { status: ['open'] }, admin],
    ];
    const toUrl = (q: QueueQuery) => {
      const params = new URLSearchParams({ limit: '50' });
      for (const [k, v] of Object.entries(q) as [string, string | string[]][])
        params.set(k, Array.isArray(v) ? v.join(',') : v);
      return `/api/v1/triage/queue?${params.toString()}`;
    };
    const results: Result[] = [];
    for (const [name, q, user = triager] of queue) {
      const sql = buildTriageQueueSql(user, q, 50, decodeCursor(q.cursor, true));
      const served = (await get(app, tokenOf(user), toUrl(q))) as QueuePage;
      await checkQueue(name, served, db, sql, 50);
      const timing = await time(app, tokenOf(user), () => toUrl(q));
      results.push({
        name: `queue: ${name}`,
        timing,
        plans: [
          ['page', await explain(db, sql.pageSql, sql.pageParams)],
          ['counts per status', await explain(db, sql.countSql, sql.countParams)],
        ],
      });
      log(`queue: ${name}: p95 ${timing.p95.toFixed(1)} ms (${served.items.length} on the page)`);
    }
    for (const [name, url] of [
      ['annotations: hub, newest first', `/api/v1/annotations?hub_id=${hub}&limit=50`],
      ['annotations: widget, newest first', `/api/v1/annotations?widget_id=${widget}&limit=50`],
      ['threads: hub, with counts and severity mix', `/api/v1/threads?hub_id=${hub}&limit=50`],
    ]) {
      const timing = await time(app, tokenOf(triager), () => url);
      results.push({ name, timing, plans: [] });
      log(`${name}: p95 ${timing.p95.toFixed(1)} ms`);
    }
    const historyTiming = await time(
      app,
      tokenOf(triager),
      (i) => `/api/v1/candidates/${hubCandidates[i % hubCandidates.length].id}/history`,
    );
    const { rows: sample } = await db.query<{
      id: string;
      source_annotation_id: string;
      source_thread_id: string | null;
    }>(
      `select id, source_annotation_id, source_thread_id from feedback.requirement_candidates
       where hub_id = $1 and status = 'promoted' limit 1`,
      [hub],
    );
    const c = sample[0];
    if (!c) throw new Error('no promoted candidate in hub0');
    results.push({
      name: 'candidate history',
      timing: historyTiming,
      plans: [
        [
          'candidate',
          await explain(db, 'select * from feedback.requirement_candidates where id = ?', [c.id]),
        ],
        ['transitions', await explain(db, CANDIDATE_HISTORY_SQL.transitions, [c.id])],
        ['assignments', await explain(db, CANDIDATE_HISTORY_SQL.assignments, [c.id])],
        [
          'source annotations',
          await explain(db, CANDIDATE_HISTORY_SQL.sourceAnnotations, [
            c.source_annotation_id,
            c.source_annotation_id,
            c.source_thread_id,
            500,
          ]),
        ],
      ],
    });
    log(`candidate history: p95 ${historyTiming.p95.toFixed(1)} ms`);

    const { rows: sizes } = await db.query<Sizes>(
      `select (select count(*) from feedback.annotations)::int as annotations,
              (select count(*) from feedback.requirement_candidates)::int as candidates,
              (select count(*) from feedback.triage_states)::int as triage_states,
              (select count(*) from feedback.reviewer_assignments)::int as assignments,
              version() as postgres`,
    );
    // A smoke run's figures mean nothing: its report stays in its temporary folder.
    const resultsFile = SMOKE ? join(session.resultsDir, 'RESULTS.md') : join(here, 'RESULTS.md');
    await writePretty(resultsFile, report(results, sizes[0]));
    if (SMOKE) {
      log('smoke run complete: every request answered, queue pages and counts match their SQL');
    } else {
      const over = results.filter((r) => r.timing.p95 > BUDGET_MS);
      log(
        over.length
          ? `OVER BUDGET (${BUDGET_MS} ms p95): ${over.map((r) => r.name).join('; ')}`
          : `all scenarios within ${BUDGET_MS} ms at p95; details in bench/feedback/RESULTS.md`,
      );
    }
  } finally {
    await db.end();
    await app.close();
    await issuer.close();
  }
}

interface Sizes {
  annotations: number;
  candidates: number;
  triage_states: number;
  assignments: number;
  postgres: string;
}

function report(results: Result[], sizes: Sizes): string {
  const f = (n: number) => n.toFixed(1);
  const lines = [
    '# Feedback benchmark: triage queue and candidate history',
    '',
    `Recorded by \`npm run bench:feedback${SMOKE ? ' -- --smoke' : ''}\` on ${new Date().toISOString()}.`,
    `Machine: ${describeMachine()}.`,
    `Data: ${sizes.annotations.toLocaleString('en')} annotations, ${sizes.candidates.toLocaleString('en')} candidates, ` +
      `${sizes.triage_states.toLocaleString('en')} triage states, ${sizes.assignments.toLocaleString('en')} assignments ` +
      `(10 hubs, 1,000 widgets; see seed.sql). ${sizes.postgres.split(',')[0]}.`,
    `Each scenario: ${ITERATIONS} sequential requests through the whole service (Fastify, JWT ` +
      'verification, validation, SQL, serialisation; `app.inject`, no network) after ' +
      `${WARM_UP} warm-up requests, page size 50. Budget: ${BUDGET_MS} ms at p95.`,
    '',
    '| scenario | p50 ms | p95 ms | p99 ms | max ms | within budget |',
    '| --- | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${f(r.timing.p50)} | ${f(r.timing.p95)} | ${f(r.timing.p99)} | ${f(r.timing.max)} | ${
          r.timing.p95 <= BUDGET_MS ? 'yes' : '**no**'
        } |`,
    ),
    '',
    '## Plans',
    '',
    '`EXPLAIN (ANALYZE, BUFFERS)` of the SQL the service runs for each scenario (the queue runs ' +
      'the page and the counts side by side; the history runs its four reads in one read-only ' +
      'transaction).',
    '',
  ];
  for (const r of results) {
    lines.push(`### ${r.name}`, '');
    if (r.plans.length === 0) lines.push('(timed only; plans not recorded)', '');
    for (const [label, plan] of r.plans) lines.push(`${label}:`, '', '```', plan, '```', '');
  }
  return lines.join('\n');
}

let passed = false;
try {
  log(
    `feedback benchmark ${SMOKE ? '(smoke) ' : ''}db=${new URL(databaseUrl).pathname.slice(1)} namespace=${session.namespace}`,
  );
  await main();
  passed = true;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await session.close(passed);
}
