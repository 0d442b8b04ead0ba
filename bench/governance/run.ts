/**
 * `npm run bench:governance` (issue 12): the decision log and a requirement's trace against
 * 100,000 requirements and 1,000,000 decisions (target: 50 ms at p95). Not a test: it prints and
 * records timings, baselines and the plans of the main queries in bench/governance/README.md's
 * results file (`RESULTS.md`).
 *
 * Each run has its own database and bus namespace (dropped at the end, also on failure and
 * Ctrl-C; `--keep` keeps them), seeded with `seed.sql`, and starts the service's executable
 * (`@ihf/governance-service`, which migrates its schema) as a process: requests go over HTTP
 * with a JWT of a test issuer whose JWKS the service trusts. Baselines measured in the same run:
 * an HTTP no-op route (`/health/live`) and the bare SQL of each scenario through `pg`.
 * BENCH_ITERATIONS (default 200) requests per scenario after 20 warm-up requests.
 *
 * `--smoke`: 1,000 requirements and 10,000 decisions, 5 requests per scenario; the results file
 * goes to a temporary folder, speed is not judged. Both modes check that every request answers
 * 200, that each served log page is exactly what the SQL returns and that each trace holds the
 * requirement's decisions, policy references and work items; the run exits non-zero otherwise.
 */
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import { decodeCursor, encodeCursor } from '@ihf/platform';
import { parseArgs } from '../lib/cli.ts';
import { describeMachine, writePretty } from '../lib/report.ts';
import { BenchSession, freePort, repoRoot } from '../lib/session.ts';
import { percentile } from '../lib/util.ts';

const here = dirname(fileURLToPath(import.meta.url));
const args = parseArgs({
  usage: `npm run bench:governance [-- --smoke] [--keep]
  --smoke  tiny data, timings not judged (what CI runs)
  --keep   keep the database and streams for inspection`,
  flags: ['smoke', 'keep'],
});
const SMOKE = args.flag('smoke');
const BUDGET_MS = 50;
const HUBS = 10;
const SIZE = SMOKE
  ? { requirements: 1_000, decisions: 10_000 }
  : { requirements: 100_000, decisions: 1_000_000 };
const ITERATIONS = SMOKE ? 5 : Number(process.env.BENCH_ITERATIONS ?? 200);
const WARM_UP = SMOKE ? 2 : 20;
const MAX_SECONDS = 20;
const LIMIT = 50;

const session = new BenchSession({
  name: 'governance',
  resultsDir: join(here, 'results'),
  smoke: SMOKE,
  keep: args.flag('keep'),
});
const log = (line: string) => session.log(line);

/** The id seed.sql gives the row named `name` (md5 UUID). */
const u = async (db: pg.Client, name: string): Promise<string> =>
  (
    await db.query<{ id: string }>(
      `select overlay(overlay(md5($1) placing '4' from 13) placing '8' from 17)::uuid as id`,
      [name],
    )
  ).rows[0].id;

interface LogQuery {
  hub_id?: string;
  widget_id?: string;
  outcome?: string;
  decided_by?: string;
  q?: string;
  cursor?: string;
}

/**
 * The decision log's SQL as the service builds it (`decisionLogSql` in
 * services/governance/src/decisions/decisions.service.ts, which its package does not export),
 * for the cases measured here. The check that every served page equals its rows keeps this copy
 * honest: a drift in order or filter fails the run.
 */
function decisionLogSql(hubs: string[] | 'all', q: LogQuery, limit: number) {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: string, value: unknown) => {
    params.push(value);
    where.push(sql.replace('?', `$${params.length}`));
  };
  if (q.hub_id) add('d.hub_id = ?', q.hub_id);
  else if (hubs === 'all') where.push('true');
  else if (hubs.length === 1) add('d.hub_id = ?', hubs[0]);
  else add('d.hub_id = any(?::uuid[])', `{${hubs.join(',')}}`);
  if (q.widget_id) add('d.widget_id = ?', q.widget_id);
  if (q.outcome) add('d.outcome = ?', q.outcome);
  if (q.decided_by) add('d.decided_by = ?', q.decided_by);
  if (q.q) add(`d.search @@ plainto_tsquery('simple', ?)`, q.q);
  const after = decodeCursor(q.cursor);
  if (after) {
    params.push(after.at, after.id);
    where.push(
      `(d.decided_at, d.id) < ($${params.length - 1}::timestamptz, $${params.length}::uuid)`,
    );
  }
  params.push(limit);
  return {
    sql: `select d.id, d.hub_id, d.title, d.rationale, d.outcome,
  d.requirement_id, d.candidate_id, d.widget_id, d.supersedes_id,
  (select s.id from governance.decision_records s where s.supersedes_id = d.id) as superseded_by_id,
  d.decided_by, d.decided_at, d.notes from governance.decision_records d
      where ${where.join(' and ')} order by d.decided_at desc, d.id desc limit $${params.length}`,
    params,
  };
}

/** The trace's reads that grow with the data (the service runs them in one read-only transaction). */
const TRACE_SQL = {
  requirement: 'select * from governance.requirements where id = $1',
  predecessors:
    'select id from governance.requirements where superseded_by_id = $1 order by created_at, id',
  decisions: `select d.id, (select s.id from governance.decision_records s where s.supersedes_id = d.id)
      as superseded_by_id, d.decided_at from governance.decision_records d
    where d.requirement_id = $1 or d.candidate_id = $2 order by d.decided_at, d.id`,
  policies: `select id, decision_id from governance.policy_references
    where decision_id = any($1::uuid[]) order by created_at, id`,
  workItems: `select id, decision_id from governance.implementation_change_references
    where decision_id = any($1::uuid[]) order by linked_at, id`,
  drafts: `select id from governance.work_item_drafts
    where requirement_id = $1 or decision_id = any($2::uuid[]) order by created_at, id`,
};

interface Timing {
  p50: number;
  p95: number;
  p99: number;
  max: number;
  n: number;
}

function summarise(samples: number[]): Timing {
  samples.sort((a, b) => a - b);
  return {
    p50: percentile(samples, 50),
    p95: percentile(samples, 95),
    p99: percentile(samples, 99),
    max: samples[samples.length - 1],
    n: samples.length,
  };
}

/**
 * `run(i)` ITERATIONS times after WARM_UP, sequentially; milliseconds per call. A scenario far
 * over budget stops after MAX_SECONDS of samples (at least 20), so that it cannot hold the run
 * for many minutes; the number of samples is reported.
 */
async function time(run: (i: number) => Promise<unknown>): Promise<Timing> {
  const samples: number[] = [];
  let measuring = 0n;
  for (let i = 0; i < ITERATIONS + WARM_UP; i++) {
    const started = process.hrtime.bigint();
    await run(i);
    const elapsed = process.hrtime.bigint() - started;
    if (i < WARM_UP) continue;
    samples.push(Number(elapsed) / 1e6);
    measuring += elapsed;
    if (samples.length >= 20 && measuring > BigInt(MAX_SECONDS) * 1_000_000_000n) break;
  }
  return summarise(samples);
}

async function explain(db: pg.Client, sql: string, params: unknown[]): Promise<string> {
  const { rows } = await db.query<{ 'QUERY PLAN': string }>(
    `explain (analyze, buffers, costs off) ${sql}`,
    params,
  );
  return rows.map((r) => r['QUERY PLAN']).join('\n');
}

interface Result {
  name: string;
  timing: Timing;
  sql?: Timing;
  plans: [string, string][];
}

interface DecisionPage {
  items: { id: string }[];
  next_cursor: string | null;
}

interface Trace {
  requirement: { id: string };
  supersedes: string[];
  decisions: {
    id: string;
    superseded_by_id: string | null;
    policy_references: { id: string }[];
    work_items: { id: string }[];
  }[];
  work_item_drafts: { id: string }[];
}

function same(what: string, got: unknown, expected: unknown): void {
  const [g, e] = [JSON.stringify(got), JSON.stringify(expected)];
  if (g !== e) throw new Error(`${what}: served ${g} but the SQL gives ${e}`);
}

async function seed(db: pg.Client): Promise<void> {
  log(`seeding (${SIZE.requirements} requirements, ${SIZE.decisions} decisions, ${HUBS} hubs)...`);
  const started = Date.now();
  await db.query(
    `set bench.requirements = ${SIZE.requirements}; set bench.decisions = ${SIZE.decisions};
     set bench.hubs = ${HUBS};\n` + readFileSync(join(here, 'seed.sql'), 'utf8'),
  );
  // As autovacuum would soon after: statistics and the visibility map (index-only scans).
  await db.query('vacuum analyze');
  log(`seeded in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}

async function main(): Promise<void> {
  await session.createDatabase();
  const issuer = await TestTokenIssuer.start();
  const port = await freePort();
  // The executable migrates the schema before it listens (as in production).
  await session.startProcess(
    'governance',
    [createRequire(join(repoRoot, 'package.json')).resolve('@ihf/governance-service')],
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
  db.on('error', (error) => {
    if (!session.interrupted) log(`benchmark session error: ${String(error)}`);
  });
  await db.connect();
  try {
    await seed(db);
    const hub = await u(db, 'hub0');
    const threeHubs = [hub, await u(db, 'hub1'), await u(db, 'hub2')];
    const governor = { sub: await u(db, 'decider0'), roles: ['governor'], hubs: [hub] };
    const tokens = {
      one: issuer.sign(governor),
      three: issuer.sign({ ...governor, hubs: threeHubs }),
      admin: issuer.sign({ sub: await u(db, 'admin0'), roles: ['admin'], hubs: [] }),
    };
    const get = async <T>(path: string, token: string | null = tokens.one): Promise<T> => {
      const res = await fetch(base + path, {
        headers: token ? { authorization: `Bearer ${token}` } : {},
      });
      const body = await res.text();
      if (res.status !== 200) throw new Error(`GET ${path}: ${res.status} ${body}`);
      return JSON.parse(body) as T;
    };

    // A cursor halfway down hub0's log: the keyset page must not cost more deep down.
    const { rows: deep } = await db.query<{ at: string; id: string }>(
      `select to_char(decided_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as at, id
       from governance.decision_records where hub_id = $1
       order by decided_at desc, id desc offset $2 limit 1`,
      [hub, Math.floor(SIZE.decisions / HUBS / 2)],
    );
    const scenarios: [string, LogQuery, (string[] | 'all')?, string?][] = [
      ['log: hub, first page', { hub_id: hub }],
      ['log: hub, outcome=deferred', { hub_id: hub, outcome: 'deferred' }],
      ['log: widget', { widget_id: await u(db, 'widget10') }],
      ['log: hub, decider', { hub_id: hub, decided_by: await u(db, 'decider7') }],
      ['log: hub, text "checkout" (1 in 8)', { hub_id: hub, q: 'checkout' }],
      ['log: hub, text "zeppelin" (1 in 997)', { hub_id: hub, q: 'zeppelin' }],
      // The planner's worst case: a word the hub never uses but other hubs do.
      ['log: hub, text "quokka" (other hubs only: empty page)', { hub_id: hub, q: 'quokka' }],
      [
        `log: hub, keyset page ${Math.floor(SIZE.decisions / HUBS / 2).toLocaleString('en')} rows deep`,
        { hub_id: hub, cursor: encodeCursor({ at: deep[0].at, id: deep[0].id }) },
      ],
      ['log: member of 3 hubs, no filter', {}, threeHubs, tokens.three],
      ['log: admin, all hubs, no filter', {}, 'all', tokens.admin],
    ];
    const results: Result[] = [];
    results.push({
      name: 'baseline: HTTP no-op (`/health/live`, no auth, no SQL)',
      timing: await time(() => get('/health/live', null)),
      plans: [],
    });
    for (const [name, q, hubs = [hub], token = tokens.one] of scenarios) {
      const params = new URLSearchParams({ limit: String(LIMIT) });
      for (const [k, v] of Object.entries(q)) params.set(k, v as string);
      const path = `/api/v1/decisions?${params.toString()}`;
      const sql = decisionLogSql(hubs, q, LIMIT + 1);
      const served = await get<DecisionPage>(path, token);
      const { rows } = await db.query<{ id: string }>(sql.sql, sql.params);
      if (q.q === 'quokka') {
        const { rows: elsewhere } = await db.query(
          `select 1 from governance.decision_records
           where search @@ plainto_tsquery('simple', 'quokka') and hub_id <> $1 limit 1`,
          [hub],
        );
        if (rows.length > 0 || elsewhere.length === 0)
          throw new Error(`${name}: the seed should put the word in other hubs only`);
      } else if (rows.length === 0) throw new Error(`${name}: the SQL finds no decision`);
      same(
        name,
        served.items.map((i) => i.id),
        rows.slice(0, LIMIT).map((r) => r.id),
      );
      if ((served.next_cursor !== null) !== rows.length > LIMIT)
        throw new Error(`${name}: next_cursor ${served.next_cursor} with ${rows.length} rows`);
      const timing = await time(() => get(path, token));
      const bare = await time(() => db.query(sql.sql, sql.params));
      results.push({
        name,
        timing,
        sql: bare,
        plans: [['page', await explain(db, sql.sql, sql.params)]],
      });
      log(
        `${name}: p95 ${timing.p95.toFixed(1)} ms (SQL alone ${bare.p95.toFixed(1)}), ${served.items.length} on the page`,
      );
    }

    // Traces of random requirements of hub0 (every one distinct while there are enough).
    const { rows: reqs } = await db.query<{ id: string; source_candidate_id: string }>(
      `select id, source_candidate_id from governance.requirements where hub_id = $1
       order by md5(id::text) limit $2`,
      [hub, ITERATIONS + WARM_UP],
    );
    const traceSql = async (r: (typeof reqs)[number]) => {
      const decisions = (
        await db.query<{ id: string; superseded_by_id: string | null }>(TRACE_SQL.decisions, [
          r.id,
          r.source_candidate_id,
        ])
      ).rows;
      const ids = `{${decisions.map((d) => d.id).join(',')}}`;
      // One connection runs one statement at a time (the service has a pool and runs them in
      // parallel): the bare SQL is timed sequentially.
      const predecessors = await db.query<{ id: string }>(TRACE_SQL.predecessors, [r.id]);
      const policies = await db.query<{ id: string; decision_id: string }>(TRACE_SQL.policies, [
        ids,
      ]);
      const workItems = await db.query<{ id: string; decision_id: string }>(TRACE_SQL.workItems, [
        ids,
      ]);
      const drafts = await db.query<{ id: string }>(TRACE_SQL.drafts, [r.id, ids]);
      await db.query(TRACE_SQL.requirement, [r.id]);
      return { decisions, predecessors, policies, workItems, drafts, ids };
    };
    for (const r of reqs.slice(0, SMOKE ? reqs.length : 20)) {
      const served = await get<Trace>(`/api/v1/requirements/${r.id}/trace`);
      const e = await traceSql(r);
      if (e.decisions.length === 0) throw new Error(`trace ${r.id}: the SQL finds no decision`);
      same(
        `trace ${r.id}: decisions`,
        served.decisions.map((d) => [d.id, d.superseded_by_id]),
        e.decisions.map((d) => [d.id, d.superseded_by_id]),
      );
      same(
        `trace ${r.id}: supersedes`,
        served.supersedes,
        e.predecessors.rows.map((p) => p.id),
      );
      same(
        `trace ${r.id}: policy references`,
        served.decisions.flatMap((d) => d.policy_references.map((p) => p.id)).sort(),
        e.policies.rows.map((p) => p.id).sort(),
      );
      same(
        `trace ${r.id}: work items`,
        served.decisions.flatMap((d) => d.work_items.map((w) => w.id)).sort(),
        e.workItems.rows.map((w) => w.id).sort(),
      );
      same(
        `trace ${r.id}: drafts`,
        served.work_item_drafts.map((d) => d.id),
        e.drafts.rows.map((d) => d.id),
      );
    }
    const traceTiming = await time((i) =>
      get(`/api/v1/requirements/${reqs[i % reqs.length].id}/trace`),
    );
    const traceBare = await time((i) => traceSql(reqs[i % reqs.length]));
    // A superseding requirement (it has a predecessor) for the plans.
    const { rows: sample } = await db.query<{ id: string; source_candidate_id: string }>(
      `select r.id, r.source_candidate_id from governance.requirements r
       where r.hub_id = $1 and exists (select 1 from governance.requirements p where p.superseded_by_id = r.id)
       limit 1`,
      [hub],
    );
    const s = sample[0] ?? reqs[0];
    const { ids } = await traceSql(s);
    results.push({
      name: 'trace of a random requirement',
      timing: traceTiming,
      sql: traceBare,
      plans: [
        ['requirement', await explain(db, TRACE_SQL.requirement, [s.id])],
        ['requirements it supersedes', await explain(db, TRACE_SQL.predecessors, [s.id])],
        ['decisions', await explain(db, TRACE_SQL.decisions, [s.id, s.source_candidate_id])],
        ['policy references', await explain(db, TRACE_SQL.policies, [ids])],
        ['work items', await explain(db, TRACE_SQL.workItems, [ids])],
        ['work-item drafts', await explain(db, TRACE_SQL.drafts, [s.id, ids])],
      ],
    });
    log(`trace: p95 ${traceTiming.p95.toFixed(1)} ms (SQL alone ${traceBare.p95.toFixed(1)})`);

    const { rows: sizes } = await db.query<Sizes>(
      `select (select count(*) from governance.requirements)::int as requirements,
              (select count(*) from governance.decision_records)::int as decisions,
              (select count(*) from governance.policy_references)::int as policies,
              (select count(*) from governance.implementation_change_references)::int as work_items,
              version() as postgres`,
    );
    const resultsFile = join(SMOKE ? session.resultsDir : here, 'RESULTS.md');
    await writePretty(resultsFile, report(results, sizes[0]));
    if (SMOKE) {
      log('smoke run complete: every request answered, log pages and traces match their SQL');
    } else {
      const over = results.filter((r) => r.sql && r.timing.p95 > BUDGET_MS);
      log(
        over.length
          ? `OVER BUDGET (${BUDGET_MS} ms p95): ${over.map((r) => r.name).join('; ')}`
          : `all scenarios within ${BUDGET_MS} ms at p95; details in bench/governance/RESULTS.md`,
      );
    }
  } finally {
    await db.end();
    await issuer.close();
  }
}

interface Sizes {
  requirements: number;
  decisions: number;
  policies: number;
  work_items: number;
  postgres: string;
}

function report(results: Result[], sizes: Sizes): string {
  const f = (n: number) => n.toFixed(1);
  const n = (x: number) => x.toLocaleString('en');
  const lines = [
    '# Governance benchmark: decision log and trace',
    '',
    `Recorded by \`npm run bench:governance${SMOKE ? ' -- --smoke' : ''}\` on ${new Date().toISOString()}.`,
    `Machine: ${describeMachine()}; load average before the measurements not controlled (shared VM).`,
    `Data: ${n(sizes.requirements)} requirements, ${n(sizes.decisions)} decisions, ` +
      `${n(sizes.policies)} policy references, ${n(sizes.work_items)} work items in ${HUBS} hubs ` +
      `(see seed.sql). ${sizes.postgres.split(',')[0]}.`,
    `Each scenario: ${ITERATIONS} sequential requests over HTTP (the service's executable on ` +
      'loopback, JWT verification, validation, SQL, serialisation) after ' +
      `${WARM_UP} warm-up requests (a scenario stops after ${MAX_SECONDS} s of samples, at least 20), page size ${LIMIT}; "SQL alone" is the same statement(s) ` +
      `through \`pg\` from the benchmark, timed the same way. Budget: ${BUDGET_MS} ms at p95 ` +
      '(reported, not asserted).',
    '',
    '| scenario | requests | p50 ms | p95 ms | p99 ms | max ms | SQL alone p50 / p95 ms | within budget |',
    '| --- | ---: | ---: | ---: | ---: | ---: | ---: | --- |',
    ...results.map(
      (r) =>
        `| ${r.name} | ${r.timing.n} | ${f(r.timing.p50)} | ${f(r.timing.p95)} | ${f(r.timing.p99)} | ${f(r.timing.max)} | ${
          r.sql ? `${f(r.sql.p50)} / ${f(r.sql.p95)}` : ''
        } | ${r.sql ? (r.timing.p95 <= BUDGET_MS ? 'yes' : '**no**') : ''} |`,
    ),
    '',
    '## Plans',
    '',
    '`EXPLAIN (ANALYZE, BUFFERS)` of the SQL the service runs for each scenario (the trace: its ' +
      'reads that grow with the data, for a requirement that supersedes another).',
    '',
  ];
  for (const r of results) {
    if (r.plans.length === 0) continue;
    lines.push(`### ${r.name}`, '');
    for (const [label, plan] of r.plans) lines.push(`${label}:`, '', '```', plan, '```', '');
  }
  return lines.join('\n');
}

let passed = false;
try {
  log(
    `governance benchmark ${SMOKE ? '(smoke) ' : ''}db=${session.dbName} namespace=${session.namespace}`,
  );
  await main();
  passed = true;
} catch (error) {
  console.error(error);
  process.exitCode = 1;
} finally {
  await session.close(passed);
}
