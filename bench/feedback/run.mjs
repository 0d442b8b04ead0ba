#!/usr/bin/env node
// `npm run bench:feedback`: the triage queue and candidate history against 1,000,000
// annotations and 100,000 requirement candidates (issue 5: first page of a filtered queue and a
// candidate's history within 50 ms at p95). Not a test: it prints and records timings and the
// query plans in bench/feedback/RESULTS.md.
//
// Needs Postgres and NATS (DATABASE_URL / NATS_URL, defaults as everywhere) and a build
// (`npm run build`; the npm script builds first). Uses its own database (BENCH_DATABASE, default
// ihf_bench_feedback), kept between runs so the ~1 min seed runs once; BENCH_RESEED=1 rebuilds
// it. BENCH_ITERATIONS (default 200) requests per scenario, after 20 warm-up requests.
import { randomUUID } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..');
const require = createRequire(join(root, 'package.json'));
const { Client } = require('pg');
const { connect } = require('@nats-io/transport-node');
const { jetstreamManager } = require('@nats-io/jetstream');
const { TestTokenIssuer } = require('@ihf/auth');
const { createServiceApp, loadConfig } = require('@ihf/platform');
const { withDatabase } = require('@ihf/persistence');
const feedback = (path) => require(join(root, 'services/feedback/dist', path));
const { feedbackAppOptions } = feedback('bootstrap.js');
const { FeedbackConfig } = feedback('config/feedback.config.js');
const { migrateFeedback } = feedback('database/migrate-feedback.js');
const { buildTriageQueueSql } = feedback('triage/triage-queue.query.js');
const { CANDIDATE_HISTORY_SQL } = feedback('candidates/candidates.service.js');
const { decodeCursor } = feedback('common/cursor.js');

const serverUrl = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/ihf';
const natsUrl = process.env.NATS_URL ?? 'nats://127.0.0.1:4222';
const databaseUrl = withDatabase(serverUrl, process.env.BENCH_DATABASE ?? 'ihf_bench_feedback');
const iterations = Number(process.env.BENCH_ITERATIONS ?? 200);
const namespace = 'benchfb';
const BUDGET_MS = 50;

const md5uuid = async (db, text) =>
  (
    await db.query(
      `select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid as id`,
      [text],
    )
  ).rows[0].id;

async function withClient(url, work) {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

async function prepareDatabase() {
  const name = new URL(databaseUrl).pathname.slice(1);
  const exists = await withClient(withDatabase(serverUrl, 'postgres'), async (admin) => {
    if (process.env.BENCH_RESEED === '1') {
      await admin.query(`drop database if exists "${name}" with (force)`);
    }
    const found = await admin.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await admin.query(`create database "${name}"`);
    return found.rowCount > 0;
  });
  await migrateFeedback(databaseUrl);
  const counts = await withClient(databaseUrl, async (db) => {
    const { rows } = await db.query(
      `select (select count(*) from feedback.annotations)::int as annotations,
              (select count(*) from feedback.requirement_candidates)::int as candidates`,
    );
    return rows[0];
  });
  if (exists && counts.annotations >= 1_000_000 && counts.candidates >= 100_000) {
    console.log(`reusing ${name}: ${JSON.stringify(counts)}`);
    return;
  }
  if (counts.annotations > 0 || counts.candidates > 0) {
    throw new Error(
      `${name} holds partial data ${JSON.stringify(counts)}: rerun with BENCH_RESEED=1`,
    );
  }
  console.log(`seeding ${name} (1,000,000 annotations, 100,000 candidates)...`);
  const started = Date.now();
  await withClient(databaseUrl, (db) => db.query(readFileSync(join(here, 'seed.sql'), 'utf8')));
  // As autovacuum would soon after: statistics and the visibility map (index-only scans).
  await withClient(databaseUrl, (db) => db.query('vacuum analyze'));
  console.log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function time(app, token, urlOf) {
  const samples = [];
  for (let i = 0; i < iterations + 20; i++) {
    const url = urlOf(i);
    const started = process.hrtime.bigint();
    const res = await app.inject({
      method: 'GET',
      url,
      headers: { authorization: `Bearer ${token}` },
    });
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    if (res.statusCode !== 200) throw new Error(`${url}: ${res.statusCode} ${res.body}`);
    if (i >= 20) samples.push(ms);
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
function numbered(sql) {
  let n = 0;
  return sql.replace(/\?/g, () => `$${++n}`);
}

async function explain(db, sql, params) {
  const { rows } = await db.query(`explain (analyze, buffers, costs off) ${numbered(sql)}`, params);
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

async function main() {
  await prepareDatabase();
  const issuer = await TestTokenIssuer.start();
  const vars = {
    LOG_LEVEL: 'silent',
    DATABASE_URL: databaseUrl,
    NATS_URL: natsUrl,
    IHF_NATS_NAMESPACE: namespace,
    IHF_JWKS_URL: issuer.jwksUrl,
  };
  const app = await createServiceApp({
    ...feedbackAppOptions(loadConfig(FeedbackConfig, vars), vars),
    config: FeedbackConfig,
  });
  const db = new Client({ connectionString: databaseUrl });
  await db.connect();
  try {
    const hub = await md5uuid(db, 'hub0');
    const widget = await md5uuid(db, 'widget10');
    const reviewer = await md5uuid(db, 'reviewer10');
    const triager = { id: randomUUID(), roles: ['triager'], hubIds: [hub], kind: 'user' };
    const admin = { id: randomUUID(), roles: ['admin'], hubIds: [], kind: 'user' };
    const threeHubs = {
      id: randomUUID(),
      roles: ['triager'],
      hubIds: [hub, await md5uuid(db, 'hub1'), await md5uuid(db, 'hub2')],
      kind: 'user',
    };
    const tokenOf = (u) => issuer.sign({ sub: u.id, roles: u.roles, hubs: u.hubIds });
    const { rows: hubCandidates } = await db.query(
      `select id from feedback.requirement_candidates where hub_id = $1 order by md5(id::text) limit 500`,
      [hub],
    );
    const secondPage = await app.inject({
      method: 'GET',
      url: `/api/v1/triage/queue?hub_id=${hub}&status=open&limit=50`,
      headers: { authorization: `Bearer ${tokenOf(triager)}` },
    });
    const cursor = secondPage.json().next_cursor;

    const queue = [
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
    const toUrl = (q) => {
      const params = new URLSearchParams({ limit: '50' });
      for (const [k, v] of Object.entries(q)) params.set(k, Array.isArray(v) ? v.join(',') : v);
      return `/api/v1/triage/queue?${params}`;
    };
    const results = [];
    for (const [name, q, user = triager] of queue) {
      const timing = await time(app, tokenOf(user), () => toUrl(q));
      const sql = buildTriageQueueSql(user, q, 50, decodeCursor(q.cursor, true));
      results.push({
        name: `queue: ${name}`,
        timing,
        plans: [
          ['page', await explain(db, sql.pageSql, sql.pageParams)],
          ['counts per status', await explain(db, sql.countSql, sql.countParams)],
        ],
      });
      console.log(`queue: ${name}: p95 ${timing.p95.toFixed(1)} ms`);
    }
    for (const [name, url] of [
      ['annotations: hub, newest first', `/api/v1/annotations?hub_id=${hub}&limit=50`],
      ['annotations: widget, newest first', `/api/v1/annotations?widget_id=${widget}&limit=50`],
      ['threads: hub, with counts and severity mix', `/api/v1/threads?hub_id=${hub}&limit=50`],
    ]) {
      const timing = await time(app, tokenOf(triager), () => url);
      results.push({ name, timing, plans: [] });
      console.log(`${name}: p95 ${timing.p95.toFixed(1)} ms`);
    }
    const historyTiming = await time(
      app,
      tokenOf(triager),
      (i) => `/api/v1/candidates/${hubCandidates[i % hubCandidates.length].id}/history`,
    );
    const { rows: sample } = await db.query(
      `select id, source_annotation_id, source_thread_id from feedback.requirement_candidates
       where hub_id = $1 and status = 'promoted' limit 1`,
      [hub],
    );
    const c = sample[0];
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
    console.log(`candidate history: p95 ${historyTiming.p95.toFixed(1)} ms`);

    const { rows: sizes } = await db.query(
      `select (select count(*) from feedback.annotations)::int as annotations,
              (select count(*) from feedback.requirement_candidates)::int as candidates,
              (select count(*) from feedback.triage_states)::int as triage_states,
              (select count(*) from feedback.reviewer_assignments)::int as assignments,
              version() as postgres`,
    );
    // Formatted as the repository's Prettier would (npm run format:check covers it).
    const resultsFile = join(here, 'RESULTS.md');
    const prettier = await import('prettier');
    const options = (await prettier.resolveConfig(resultsFile)) ?? {};
    writeFileSync(
      resultsFile,
      await prettier.format(report(results, sizes[0]), { ...options, parser: 'markdown' }),
    );
    const over = results.filter((r) => r.timing.p95 > BUDGET_MS);
    console.log(
      over.length
        ? `OVER BUDGET (${BUDGET_MS} ms p95): ${over.map((r) => r.name).join('; ')}`
        : `all scenarios within ${BUDGET_MS} ms at p95; details in bench/feedback/RESULTS.md`,
    );
  } finally {
    await db.end();
    await app.close();
    await issuer.close();
    await deleteNamespaceStreams();
  }
}

function report(results, sizes) {
  const f = (n) => n.toFixed(1);
  const lines = [
    '# Feedback benchmark: triage queue and candidate history',
    '',
    `Recorded by \`npm run bench:feedback\` on ${new Date().toISOString()}.`,
    `Data: ${sizes.annotations.toLocaleString('en')} annotations, ${sizes.candidates.toLocaleString('en')} candidates, ` +
      `${sizes.triage_states.toLocaleString('en')} triage states, ${sizes.assignments.toLocaleString('en')} assignments ` +
      `(10 hubs, 1,000 widgets; see seed.sql). ${sizes.postgres.split(',')[0]}.`,
    `Each scenario: ${iterations} sequential requests through the whole service (Fastify, JWT ` +
      'verification, validation, SQL, serialisation; `app.inject`, no network) after 20 warm-up ' +
      `requests, page size 50. Budget: ${BUDGET_MS} ms at p95.`,
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

async function deleteNamespaceStreams() {
  const nc = await connect({ servers: natsUrl.split(',') });
  try {
    const jsm = await jetstreamManager(nc);
    const prefix = `${namespace.toUpperCase()}_`;
    for await (const s of jsm.streams.list()) {
      if (s.config.name.startsWith(prefix)) await jsm.streams.delete(s.config.name);
    }
  } finally {
    await nc.close();
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
