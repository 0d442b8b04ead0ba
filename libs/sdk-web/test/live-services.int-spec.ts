// The end-to-end proof of issue 6 against the real services, in every `npm test`: identity,
// ingestion and feedback run as child processes (their built dist/main.js, on this file's own
// database and bus namespace, free ports of 127.0.0.1); the hub, the demo's widgets (linked to
// the seeded adapter specs) and a hub API key are created through their APIs; the demo page
// (web component, shadow DOM, React, Vue, annotation dialog) runs in Debian's Chromium, and what
// it reports is read back through ingestion's events API and feedback's annotations API.
// The same run by hand: `node e2e/run-live.ts [--start-services]` (e2e/README.md).
// Screenshots and service logs: .artifacts/sdk-web/live/.
import { existsSync, statSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { DEMO_WIDGETS } from '../demo/config.ts';
import { CHROMIUM_PATH } from '../e2e/chromium.ts';
import { ADAPTER_SPEC, DEMO_WIDGET_DEFS, call, liveSettingsFromEnv } from '../e2e/live-backend.ts';
import { LIVE_SCENARIOS, prepareLiveRun, type LiveRun } from '../e2e/live-run.ts';
import {
  STACK_SERVICES,
  serviceEntry,
  startServiceStack,
  type ServiceStack,
} from '../e2e/service-stack.ts';

const PKG = join(__dirname, '..');
const ROOT = join(PKG, '../..');
const ARTIFACTS = join(ROOT, '.artifacts/sdk-web/live');
/** Per check against the services: generous for a loaded 2-core machine, still bounded. */
const WAIT_MS = 45_000;
const SCENARIO_MS = 100_000;

let env: TestEnvironment | undefined;
let stack: ServiceStack | undefined;
let run: LiveRun;
const startedAt = Date.now();

beforeAll(async () => {
  // Fail with the fix, not with a spawn error: the services must be built (CI builds first).
  for (const name of STACK_SERVICES) serviceEntry(ROOT, name);
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: apt-get install -y chromium (or set IHF_CHROMIUM)`,
    );
  }
  env = await createTestEnvironment();
  const adminEmail = 'admin@sdk-e2e.test';
  const adminPassword = `sdk-e2e-${randomBytes(9).toString('base64url')}`;
  stack = await startServiceStack({
    root: ROOT,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail,
    adminPassword,
    corsOrigins: '*',
    logDir: join(ARTIFACTS, 'logs'),
    readyTimeoutMs: 120_000,
  });
  run = await prepareLiveRun({
    settings: {
      ...liveSettingsFromEnv({ IHF_ADMIN_EMAIL: adminEmail, IHF_ADMIN_PASSWORD: adminPassword }),
      identityUrl: stack.identityUrl,
      ingestionUrl: stack.ingestionUrl,
      feedbackUrl: stack.feedbackUrl,
    },
    artifacts: ARTIFACTS,
    packageDir: PKG,
    timeoutMs: WAIT_MS,
  });
  console.log(
    `services ready and hub set up in ${Date.now() - startedAt} ms: ` +
      STACK_SERVICES.map(
        (s) => `${s} ${stack!.services[s].url} (pid ${stack!.services[s].pid})`,
      ).join(', '),
  );
}, 240_000);

afterAll(async () => {
  const pids = stack ? STACK_SERVICES.map((s) => stack!.services[s].pid) : [];
  try {
    await run?.close();
    await stack?.stop(10_000);
  } finally {
    await env?.teardown();
  }
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (alive.length) throw new Error(`service processes still running: ${alive.join(', ')}`);
  console.log(`live e2e done in ${Date.now() - startedAt} ms`);
}, 60_000);

describe('the SDK against identity, ingestion and feedback (child processes)', () => {
  it('set up the hub, the demo widgets (with the seeded adapter specs) and an API key through the APIs', async () => {
    const { ingestionUrl } = stack!;
    const { hubId, widgets } = run.config;
    const listed = await call<{
      items: { id: string; name: string; view_context: string; adapter_spec_id: string | null }[];
    }>(`${ingestionUrl}/api/v1/hubs/${hubId}/widgets?limit=100`, { token: run.token });
    expect(
      listed.items
        .map((w) => [w.name, w.id, w.view_context, w.adapter_spec_id])
        .sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
    ).toEqual(
      [...DEMO_WIDGETS]
        .sort()
        .map((name) => [
          name,
          widgets[name],
          DEMO_WIDGET_DEFS[name].view,
          ADAPTER_SPEC[DEMO_WIDGET_DEFS[name].adapter],
        ]),
    );
    const keys = await call<{ items: { prefix: string; revoked_at: string | null }[] }>(
      `${ingestionUrl}/api/v1/hubs/${hubId}/api-keys`,
      { token: run.token },
    );
    expect(keys.items).toHaveLength(1);
    expect(run.config.apiKey.startsWith(`ihf_${keys.items[0].prefix}_`)).toBe(true);
  });

  it("ingestion answers the browser's CORS preflight for the reporting endpoints", async () => {
    // A customer page is on another origin and sends Authorization: the browser asks first.
    const origin = new URL(run.demoUrl).origin;
    for (const path of ['/api/v1/interaction-events', '/api/v1/annotations', '/api/v1/me-too']) {
      const response = await fetch(`${stack!.ingestionUrl}${path}`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
      const allowOrigin = response.headers.get('access-control-allow-origin');
      const allowHeaders = response.headers.get('access-control-allow-headers') ?? '';
      const exposed = response.headers.get('access-control-expose-headers') ?? '';
      expect({
        path,
        ok: response.ok,
        originAllowed: allowOrigin === '*' || allowOrigin === origin,
        authorization: /\bauthorization\b/i.test(allowHeaders),
        contentType: /\bcontent-type\b/i.test(allowHeaders),
        retryAfterReadable: /\bretry-after\b/i.test(exposed),
      }).toEqual({
        path,
        ok: true,
        originAllowed: true,
        authorization: true,
        contentType: true,
        retryAfterReadable: true,
      });
    }
  });

  it(
    'reports clicks, views and submits of the web component, shadow DOM, React and Vue widgets with widget, hub and view context',
    () => LIVE_SCENARIOS.captureScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'takes an annotation through the dialog, by keyboard, into the feedback service',
    () => LIVE_SCENARIOS.annotationScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'binds a note to the widget pointed at, and its version, in the feedback service',
    () => LIVE_SCENARIOS.pointScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'opens the dialog about a widget from its own button and from Alt+Shift+F, into the feedback service',
    () => LIVE_SCENARIOS.inWidgetScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'says "me too" about a known issue from the dialog, counted once by the feedback service',
    () => LIVE_SCENARIOS.meTooScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'keeps events while offline and stores them exactly once when the network is back',
    () => LIVE_SCENARIOS.offlineScenario(run.ctx),
    SCENARIO_MS,
  );

  it(
    'flushes pending events when the page is left',
    () => LIVE_SCENARIOS.unloadScenario(run.ctx),
    SCENARIO_MS,
  );

  it('stored every event the browser saw accepted exactly once, and refused none', async () => {
    expect(run.reporting.rejected).toEqual([]);
    const rows = await run.ctx.backend.events();
    const perId = new Map<string, number>();
    for (const row of rows) perId.set(row.id, (perId.get(row.id) ?? 0) + 1);
    const accepted = run.reporting.acceptedIds();
    expect([...perId.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...accepted.values()].filter((n) => n !== 1)).toEqual([]);
    expect([...accepted.keys()].filter((id) => perId.get(id) !== 1)).toEqual([]);
    const byType = new Map<string, number>();
    for (const row of rows) {
      const widget = DEMO_WIDGETS.find((w) => run.config.widgets[w] === row.widget_id) ?? '?';
      const key = `${widget}/${row.event_type}`;
      byType.set(key, (byType.get(key) ?? 0) + 1);
    }
    const annotations = await run.ctx.backend.annotations();
    console.log(
      `stored for hub ${run.config.hubId}: ${rows.length} events (${perId.size} distinct ids; ` +
        `${accepted.size} accepted answers seen in the browser), ${annotations.length} annotation(s)\n` +
        [...byType].map(([k, n]) => `  ${k}: ${n}`).join('\n'),
    );
  });

  it('saved the screenshots of the demo page and the annotation dialog', () => {
    for (const file of ['demo.png', 'annotation-dialog.png', 'annotation-sent.png']) {
      const path = join(ARTIFACTS, file);
      expect(existsSync(path) && statSync(path).mtimeMs >= startedAt).toBe(true);
    }
  });
});
