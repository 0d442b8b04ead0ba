#!/usr/bin/env node
// `npm run observability:render`: screenshots of the provisioned Grafana dashboards, rendered
// from a demo run without Grafana (this machine has no Grafana package and no container engine).
//  1. Starts every service from its built dist/ as the demo does (tests/system/harness), on free
//     loopback ports with a database and a bus namespace of its own;
//  2. starts a real Prometheus (Debian's binary, prometheus.mjs) scraping their /metrics every
//     IHF_RENDER_SCRAPE_SECONDS (2);
//  3. seeds the demo hub (tests/system/demo/seed.ts, a shorter history) and drives
//     IHF_RENDER_TRAFFIC_SECONDS (120) of SDK-like traffic with feedback and errors (traffic.mjs);
//  4. for every dashboard in grafana/dashboards/, runs each panel's PromQL over the run and draws
//     it (draw.mjs), screenshots it with headless Chromium into docs/observability/<name>.png;
//  5. prints every panel and query with its series count, writes docs/observability/render-report.md,
//     and exits 1 when a panel without data is not explained below (a wrong query, most likely).
// Everything it started (services, Prometheus, Chromium, the database and streams) is removed at
// the end, on failure and on Ctrl-C.
import { mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import * as prettier from 'prettier';
import { launchChromium } from '../../../libs/sdk-web/e2e/chromium.ts';
import { Platform, freePort } from '../../../tests/system/harness/platform.ts';
import { demoPassword, seedDemo } from '../../../tests/system/demo/seed.ts';
import { dashboardPage, queryDashboard, screenshot } from './draw.mjs';
import { prometheusBinary, startPrometheus } from './prometheus.mjs';
import { driveTraffic } from './traffic.mjs';

const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const DASHBOARDS = join(ROOT, 'deploy', 'observability', 'grafana', 'dashboards');
const OUT = join(ROOT, 'docs', 'observability');
const TRAFFIC_SECONDS = Number(process.env.IHF_RENDER_TRAFFIC_SECONDS ?? 120);
const SCRAPE_SECONDS = Number(process.env.IHF_RENDER_SCRAPE_SECONDS ?? 2);

/**
 * Panels that are empty in a healthy demo run, and why: under '*' for every dashboard, else
 * under the dashboard's name. A panel without data that is not listed fails the run: its query
 * is probably wrong.
 */
const NO_CONSUMER = 'this service consumes no stream (it only publishes), so it has no consumer';
const NO_SHEDDING =
  'no request of this service failed: neither Postgres nor NATS went down, and only ingestion sheds load (503) in the demo';
const LEGITIMATELY_EMPTY = {
  '*': {
    'Dead letters per hour by consumer':
      'no message failed its handler the maximum number of times: nothing was dead-lettered',
    'Redeliveries per second by consumer':
      'every handler acknowledged its message on the first delivery',
    'Redeliveries per second': 'every handler acknowledged its message on the first delivery',
    'Messages republished by the reconciler':
      'nothing was lost between Postgres and JetStream, so the reconciler republished nothing',
  },
  ...Object.fromEntries(
    [
      'identity',
      'feedback',
      'governance',
      'deployment-outcomes',
      'agent-proposals',
      'notifications',
    ].map((service) => [
      service,
      { 'Errors (5xx) per second by route': NO_SHEDDING, '503 refusals by code': NO_SHEDDING },
    ]),
  ),
  ingestion: {
    'Table tail: rows set aside':
      'no interaction-event row failed to publish, so none was set aside',
  },
};
for (const service of ['identity', 'ingestion'])
  Object.assign(LEGITIMATELY_EMPTY[service], {
    'Deliveries per second by consumer and outcome': NO_CONSUMER,
    'Handler p95 by consumer': NO_CONSUMER,
    'Read-model freshness: p95 event age when applied': NO_CONSUMER,
    'Consumer lag and unacknowledged': NO_CONSUMER,
  });
Object.assign(
  LEGITIMATELY_EMPTY.notifications,
  Object.fromEntries(
    [
      'Outbox events published per second',
      'Outbox relay lag p95 (insert to ack)',
      'Outbox backlog and oldest event',
    ].map((panel) => [
      panel,
      'notifications publishes no events (it has no outbox): it only consumes and delivers',
    ]),
  ),
);

const cleanups = [];
const say = (line = '') => console.log(line);
const seconds = (from) => ((Date.now() - from) / 1000).toFixed(1);

async function main() {
  const begun = Date.now();
  mkdirSync(OUT, { recursive: true });
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
  const bin = prometheusBinary('prometheus', say);
  const { createTestEnvironment } = await import('@ihf/testing');
  const env = await createTestEnvironment();
  cleanups.push(() => env.teardown());
  say(`Database ${new URL(env.databaseUrl).pathname.slice(1)}, bus namespace ${env.natsNamespace}`);
  const admin = { email: 'admin@demo-shop.example.com', password: demoPassword() };
  say('Starting the services (built dist/, free ports, a database and namespace of their own)...');
  const platform = await Platform.start({
    root: ROOT,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail: admin.email,
    adminPassword: admin.password,
    logDir: join(ROOT, '.artifacts/observability-render/logs'),
    env: {
      LOG_LEVEL: 'warn',
      // Small enough that the traffic's bursts meet the rate limit (429) and load shedding (503)
      // that a busy hub would, large enough for the seed's batches of 500.
      INGESTION_RATE_LIMIT_EVENTS_PER_SEC: '400',
      INGESTION_RATE_LIMIT_BURST: '2500',
      INGESTION_MAX_PENDING_EVENTS: '1000',
    },
  });
  cleanups.push(() => platform.stop());
  const started = Date.now();
  say(`  ${platform.services.size} services ready after ${seconds(begun)} s`);
  const prometheus = await startPrometheus({
    bin,
    port: await freePort(),
    targets: [...platform.services.values()].map((s) => s.url.replace('http://', '')),
    scrapeSeconds: SCRAPE_SECONDS,
    log: (line) => say(`  ${line}`),
  });
  cleanups.push(() => prometheus.stop());
  const start = Math.floor(Date.now() / 1000);
  // Seed only once every target has been scraped: what the seed does must be in Prometheus
  // (identity's outbox events, say, happen only then).
  for (let i = 0; ; i++) {
    const targets = await prometheus.targets();
    if (targets.length === platform.services.size && targets.every(([, health]) => health === 'up'))
      break;
    if (i > 60) throw new Error(`targets not up after 30 s: ${JSON.stringify(targets)}`);
    await new Promise((r) => setTimeout(r, 500));
  }

  const urls = {
    identity: platform.url('identity'),
    ingestion: platform.url('ingestion'),
    feedback: platform.url('feedback'),
    governance: platform.url('governance'),
    agents: platform.has('agent-proposals') ? platform.url('agent-proposals') : undefined,
    deployment: platform.has('deployment-outcomes')
      ? platform.url('deployment-outcomes')
      : undefined,
    notifications: platform.has('notifications') ? platform.url('notifications') : undefined,
  };
  say('Seeding the demo hub (7 days of history, 30 sessions a day)...');
  const seeded = await seedDemo(urls, admin, {
    days: 7,
    sessionsPerDay: 30,
    log: (line) => say(`  ${line}`),
  });
  const traffic = await driveTraffic({
    urls,
    hub: seeded.hub,
    team: seeded.team,
    seconds: TRAFFIC_SECONDS,
    log: (line) => say(`  ${line}`),
  });
  // Two more scrapes, so that the last requests are in Prometheus.
  await new Promise((r) => setTimeout(r, 2 * SCRAPE_SECONDS * 1000 + 500));
  const end = Math.floor(Date.now() / 1000);
  const targets = await prometheus.targets();
  const down = targets.filter(([, health]) => health !== 'up');
  if (down.length) throw new Error(`targets not up: ${JSON.stringify(down)}`);
  say(`  Prometheus: ${targets.length} targets up; traffic answers: ${summary(traffic)}`);

  // Grafana would pick a step of range / width; 2 s gives every scrape its own point here.
  const stepSeconds = Math.max(SCRAPE_SECONDS, Math.ceil((end - start) / 700));
  const when = `${iso(start)} to ${iso(end)} UTC`;
  const browser = await launchChromium();
  cleanups.push(() => browser.close());
  const files = readdirSync(DASHBOARDS)
    .filter((f) => f.endsWith('.json'))
    .sort((a, b) => (a === 'platform.json' ? -1 : b === 'platform.json' ? 1 : a.localeCompare(b)));
  const report = [];
  let unexplained = 0;
  for (const file of files) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS, file), 'utf8'));
    const name = file.replace(/\.json$/, '');
    const { xs, panels, findings } = await queryDashboard(dashboard, prometheus, {
      start,
      end,
      stepSeconds,
      scrapeSeconds: SCRAPE_SECONDS,
      vars: { service: name },
    });
    const png = join(OUT, `${name}.png`);
    await screenshot(
      browser.context,
      dashboardPage({
        title: dashboard.title,
        caption:
          `Rendered by IHF's renderer (npm run observability:render) from the provisioned dashboard ` +
          `JSON against Prometheus, not Grafana's UI. Demo run ${when}, scraped every ${SCRAPE_SECONDS} s.`,
        source: `deploy/observability/grafana/dashboards/${file} · ${prometheus.version} · $__rate_interval = ${Math.max(stepSeconds + SCRAPE_SECONDS, 4 * SCRAPE_SECONDS)} s`,
        xs,
        panels,
      }),
      png,
    );
    say(`${file} -> ${relative(ROOT, png)}`);
    const rows = [];
    for (const { panel, targets: queries } of findings) {
      const empty = queries.every((t) => t.withValues === 0);
      const why = empty ? explain(panel, name) : undefined;
      if (empty && !why) unexplained++;
      for (const t of queries) {
        const mark = t.error ? `ERROR ${t.error}` : `${t.series} series, ${t.withValues} with data`;
        say(`  ${panel} [${t.refId}] ${mark}`);
        rows.push({ panel, ...t, why: empty ? (why ?? 'UNEXPLAINED: check the query') : '' });
      }
      if (empty) say(`    no data: ${why ?? 'UNEXPLAINED: check the query'}`);
    }
    report.push({ file, png: `${name}.png`, rows });
  }
  await writeReport({
    report,
    when,
    duration: seconds(begun),
    servicesSeconds: ((started - begun) / 1000).toFixed(1),
    prometheus: prometheus.version,
    traffic,
    seeded,
  });
  say(`Wrote ${relative(ROOT, join(OUT, 'render-report.md'))} (${seconds(begun)} s in all)`);
  if (unexplained) {
    console.error(`${unexplained} panel(s) without data and no explanation: fix their queries`);
    process.exitCode = 1;
  }
}

function explain(panel, dashboard) {
  return LEGITIMATELY_EMPTY['*'][panel] ?? LEGITIMATELY_EMPTY[dashboard]?.[panel];
}

function summary(traffic) {
  return [...traffic.entries()]
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([k, n]) => `${k}: ${n}`)
    .join(', ');
}

const iso = (s) => new Date(s * 1000).toISOString().slice(0, 19).replace('T', ' ');

async function writeReport({
  report,
  when,
  duration,
  servicesSeconds,
  prometheus,
  traffic,
  seeded,
}) {
  const cell = (s) => String(s).replace(/\|/g, '\\|');
  const lines = [
    '# Dashboard render report',
    '',
    `Written by \`npm run observability:render\` (deploy/observability/render/). Demo run ${when};`,
    `${duration} s in all (services ready after ${servicesSeconds} s), ${TRAFFIC_SECONDS} s of traffic, scraped every ${SCRAPE_SECONDS} s by ${prometheus}.`,
    `Seed: ${seeded.history.accepted} history events accepted, 4 annotations, a requirement, a decision and a deployment.`,
    `Traffic answers (service status: count): ${summary(traffic)}.`,
    '',
    'Every panel of every dashboard in `deploy/observability/grafana/dashboards/`, each target as it',
    'was sent to `/api/v1/query_range` (Grafana variables substituted), with the number of series',
    'it returned and how many of them had at least one value. A panel without data says why.',
  ];
  for (const { file, png, rows } of report) {
    lines.push(
      '',
      `## ${file} ([${png}](${png}))`,
      '',
      '| panel | ref | query | series | with data | no data because |',
      '| --- | --- | --- | --- | --- | --- |',
    );
    for (const r of rows)
      lines.push(
        `| ${cell(r.panel)} | ${r.refId} | \`${cell(r.expr)}\` | ${r.error ? `error: ${cell(r.error)}` : r.series} | ${r.withValues} | ${cell(r.why)} |`,
      );
  }
  // Formatted as `npm run format:check` expects of every committed file.
  const file = join(OUT, 'render-report.md');
  const options = (await prettier.resolveConfig(file)) ?? {};
  writeFileSync(
    file,
    await prettier.format(`${lines.join('\n')}\n`, { ...options, filepath: file }),
  );
}

let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  for (const step of cleanups.reverse()) await step().catch((e) => console.error(`cleanup: ${e}`));
}
for (const signal of ['SIGINT', 'SIGTERM'])
  process.on(signal, () => {
    console.error(`${signal}: stopping what the renderer started...`);
    void cleanup().then(() => process.exit(130));
  });

try {
  await main();
} catch (error) {
  console.error(`The render failed: ${error instanceof Error ? error.stack : String(error)}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
