// Every metric the alert rules and the Grafana dashboards in deploy/observability name is
// exported by a running service: all seven run (real migrations, one test database, one bus
// namespace; four in this process, the three without a package entry point as built processes)
// and their /metrics pages are read. Also: the committed
// dashboards are what deploy/observability/dashboards.mjs generates.
import { spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { parse } from 'yaml';
import { TestTokenIssuer } from '@ihf/auth';
import { migrateSchema } from '@ihf/persistence';
import { createServiceApp, loadConfig } from '@ihf/platform';
import {
  type BuiltService,
  createTestEnvironment,
  startBuiltService,
  type TestEnvironment,
} from '@ihf/testing';
import {
  AppModule as IdentityModule,
  IDENTITY_OPENAPI,
  IdentityConfig,
  migrateIdentity,
} from '@ihf/identity-service';
import { IngestionConfig, ingestionAppOptions, ingestionOrmSettings } from '@ihf/ingestion-service';
import { FeedbackConfig, feedbackAppOptions, migrateFeedback } from '@ihf/feedback-service';
import { GovernanceConfig, governanceAppOptions, migrateGovernance } from '@ihf/governance-service';

const ROOT = join(__dirname, '..', '..');
const OBSERVABILITY = join(ROOT, 'deploy', 'observability');

/** Metric names in a PromQL expression (ours, and prom-client's process/Node.js defaults). */
export function metricNames(expr: string): string[] {
  return expr.match(/\b(?:ihf|http_server|process|nodejs)_[a-z0-9_]+\b/g) ?? [];
}

/** Every PromQL expression of the alert rules and of the dashboards. */
function expressions(): { where: string; expr: string }[] {
  const found: { where: string; expr: string }[] = [];
  const rules = parse(readFileSync(join(OBSERVABILITY, 'prometheus', 'alerts.yml'), 'utf8')) as {
    groups: { rules: { alert: string; expr: string }[] }[];
  };
  for (const group of rules.groups)
    for (const rule of group.rules) found.push({ where: `alert ${rule.alert}`, expr: rule.expr });
  const dir = join(OBSERVABILITY, 'grafana', 'dashboards');
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.json'))) {
    const dashboard = JSON.parse(readFileSync(join(dir, file), 'utf8')) as {
      panels: { title: string; targets?: { expr: string }[] }[];
    };
    for (const panel of dashboard.panels)
      for (const target of panel.targets ?? [])
        found.push({ where: `${file}: ${panel.title}`, expr: target.expr });
  }
  return found;
}

/** Names declared in a /metrics page (`# TYPE name type`), histogram series included. */
function exportedNames(page: string): Set<string> {
  const names = new Set<string>();
  for (const [, name, type] of page.matchAll(/^# TYPE (\S+) (\S+)$/gm)) {
    names.add(name);
    if (type === 'histogram' || type === 'summary')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(name + suffix);
  }
  return names;
}

/** The references whose metric no service exports. */
function missing(refs: { where: string; expr: string }[], exported: Set<string>): string[] {
  return refs.flatMap(({ where, expr }) =>
    metricNames(expr)
      .filter((name) => !exported.has(name))
      .map((name) => `${name} (${where})`),
  );
}

describe('deploy/observability: dashboards and alerts name exported metrics', () => {
  let env: TestEnvironment;
  let issuer: TestTokenIssuer;
  let keyDir: string;
  const apps: NestFastifyApplication[] = [];
  const processes: BuiltService[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    issuer = await TestTokenIssuer.start();
    keyDir = mkdtempSync(join(tmpdir(), 'ihf-metrics-catalog-'));
    const keyFile = join(keyDir, 'jwt.pem');
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    writeFileSync(keyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(), {
      mode: 0o600,
    });
    const vars: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: env.databaseUrl,
      NATS_URL: env.natsUrl,
      IHF_NATS_NAMESPACE: env.natsNamespace,
      IHF_JWKS_URL: issuer.jwksUrl,
      IHF_JWT_PRIVATE_KEY_FILE: keyFile,
      GOVERNANCE_SECRET_KEY: Buffer.alloc(32, 42).toString('base64'),
    };
    await migrateIdentity(env.databaseUrl);
    await migrateSchema(ingestionOrmSettings(env.databaseUrl));
    await migrateFeedback(env.databaseUrl);
    await migrateGovernance(env.databaseUrl);
    const identityConfig = loadConfig(IdentityConfig, vars);
    apps.push(
      await createServiceApp({
        name: 'identity',
        module: IdentityModule.forRoot(identityConfig),
        defaultPort: 0,
        config: IdentityConfig,
        env: vars,
        openApi: IDENTITY_OPENAPI,
      }),
      await createServiceApp(ingestionAppOptions(loadConfig(IngestionConfig, vars), vars)),
      await createServiceApp({
        ...feedbackAppOptions(loadConfig(FeedbackConfig, vars), vars),
        config: FeedbackConfig,
      }),
      await createServiceApp({
        ...governanceAppOptions(loadConfig(GovernanceConfig, vars), vars),
        config: GovernanceConfig,
      }),
    );
    for (const name of ['deployment-outcomes', 'agent-proposals', 'notifications'])
      processes.push(
        await startBuiltService({
          main: join(ROOT, 'services', name, 'dist', 'main.js'),
          env: {
            ...vars,
            LOG_LEVEL: 'info',
            NOTIFICATIONS_SECRET_KEY: Buffer.alloc(32, 7).toString('base64'),
          },
        }),
      );
  });

  afterAll(async () => {
    for (const p of processes) await p.stop();
    for (const app of apps.reverse()) await app.close();
    await issuer?.close();
    await env?.teardown();
    if (keyDir) rmSync(keyDir, { recursive: true, force: true });
  });

  it('finds every metric of every alert and panel on some service’s /metrics', async () => {
    const exported = new Set<string>();
    for (const app of apps) {
      // One request first, so that the HTTP histogram has a series, as in a live service.
      await app.inject({ method: 'GET', url: '/health/live' });
      const res = await app.inject({ method: 'GET', url: '/metrics' });
      expect(res.statusCode).toBe(200);
      for (const name of exportedNames(res.body)) exported.add(name);
    }
    expect(processes).toHaveLength(3);
    for (const p of processes) {
      expect((await fetch(`${p.url}/health/live`)).status).toBe(200);
      const res = await fetch(`${p.url}/metrics`);
      expect(res.status).toBe(200);
      for (const name of exportedNames(await res.text())) exported.add(name);
    }
    const refs = expressions();
    const named = new Set(refs.flatMap((r) => metricNames(r.expr)));
    // Not vacuous: the files name the metrics of every area.
    expect(named.size).toBeGreaterThan(25);
    for (const name of [
      'ihf_outbox_oldest_pending_seconds',
      'ihf_table_tail_oldest_pending_seconds',
      'ihf_consumer_pending_messages',
      'ihf_consumer_event_age_seconds_bucket',
      'ihf_ingestion_group_commit_rows_bucket',
      'ihf_db_pool_connections',
      'ihf_readiness_up',
      'http_server_request_duration_seconds_count',
    ])
      expect(named).toContain(name);
    expect(missing(refs, exported)).toEqual([]);
    // And the check itself reports a metric nobody exports.
    expect(missing([{ where: 'test', expr: 'rate(ihf_nobody_total[5m])' }], exported)).toEqual([
      'ihf_nobody_total (test)',
    ]);
  });

  it('has the committed dashboards generated from deploy/observability/dashboards.mjs', () => {
    const run = spawnSync(process.execPath, [join(OBSERVABILITY, 'dashboards.mjs'), '--check'], {
      encoding: 'utf8',
    });
    expect(run.stderr).toBe('');
    expect(run.status).toBe(0);
  });
});
