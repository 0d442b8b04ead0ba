// The live end-to-end run of issue 6, shared by the CLI (e2e/run-live.ts) and the Jest test
// (test/live-services.int-spec.ts): with identity, ingestion and feedback reachable, it sets up a
// fresh hub (widgets, API key), serves the demo page on 127.0.0.1, opens headless Chromium and
// hands back the scenarios' context. It also watches, from inside the browser, every answer of
// the reporting endpoint, so that a run can tell how often an event reached the server and why
// one was refused.
import type { BrowserContext } from 'playwright-core';
import type { DemoConfig } from '../demo/config.ts';
import { ensureDemoBuilt } from './build-demo.ts';
import { launchChromium, type Browser } from './chromium.ts';
import { liveBackend, setUpHub, type LiveSettings } from './live-backend.ts';
import {
  annotationScenario,
  captureScenario,
  inWidgetScenario,
  meTooScenario,
  offlineScenario,
  pointScenario,
  unloadScenario,
  type Backend,
  type ScenarioContext,
} from './scenarios.ts';
import { startDemoServer, type DemoServer } from './serve.ts';

/** The scenarios of a live run, in the order they run. */
export const LIVE_SCENARIOS = {
  captureScenario,
  annotationScenario,
  pointScenario,
  inWidgetScenario,
  meTooScenario,
  offlineScenario,
  unloadScenario,
} as const;
export type LiveScenario = keyof typeof LIVE_SCENARIOS;

/** What the browser saw of the reporting endpoints (`interaction-events`, `annotations`). */
export interface ReportingLog {
  /** Answers of the server naming this event id (any status). */
  received(id: string): number;
  /** `accepted` answers for this id (a resend is `duplicate`). */
  accepted(id: string): number;
  /** Events the server refused, with its reason (should stay empty). */
  readonly rejected: { id: string; reason: string }[];
  /** Requests answered with something other than 202, or that failed (CORS, network), counted. */
  readonly failedRequests: Map<string, number>;
  /** Every id the server answered `accepted` for, with how often. */
  acceptedIds(): ReadonlyMap<string, number>;
}

interface EventResult {
  readonly id?: string;
  readonly status: string;
  readonly reason?: string;
  readonly rule?: string;
  readonly field?: string;
}

/** Records every answer of the reporting endpoint the pages of `context` get. */
export function watchReporting(context: BrowserContext, endpoint: string): ReportingLog {
  const received = new Map<string, number>();
  const accepted = new Map<string, number>();
  const log: ReportingLog = {
    received: (id) => received.get(id) ?? 0,
    accepted: (id) => accepted.get(id) ?? 0,
    rejected: [],
    failedRequests: new Map(),
    acceptedIds: () => accepted,
  };
  const base = endpoint.replace(/\/$/, '');
  const url = `${base}/api/v1/interaction-events`;
  const watched = (u: string) =>
    u === url || u === `${base}/api/v1/annotations` || u === `${base}/api/v1/me-too`;
  const failed = (what: string) =>
    log.failedRequests.set(what, (log.failedRequests.get(what) ?? 0) + 1);
  context.on('requestfailed', (request) => {
    if (!watched(request.url())) return;
    failed(
      `${request.method()} ${new URL(request.url()).pathname}: ${request.failure()?.errorText ?? '?'}`,
    );
  });
  context.on('requestfinished', (request) => {
    if (request.method() !== 'POST' || !watched(request.url())) return;
    void (async () => {
      const response = await request.response();
      if (!response) return;
      if (response.status() !== 202) {
        const body = (await response.text().catch(() => '')).slice(0, 300);
        failed(`POST ${new URL(request.url()).pathname}: ${response.status()} ${body}`);
        return;
      }
      if (request.url() !== url) return;
      const body = (await response.json()) as { results?: EventResult[] };
      for (const result of body.results ?? []) {
        if (!result.id) continue;
        received.set(result.id, (received.get(result.id) ?? 0) + 1);
        if (result.status === 'accepted') {
          accepted.set(result.id, (accepted.get(result.id) ?? 0) + 1);
        }
        if (result.status === 'rejected') {
          log.rejected.push({
            id: result.id,
            reason: [result.reason, result.rule, result.field].filter(Boolean).join(' / '),
          });
        }
      }
    })().catch(() => undefined); // a page that went away took its response body with it
  });
  return log;
}

/** Why events may be missing at the server, as far as the browser can tell. */
export function explainReporting(reporting: ReportingLog): string {
  const failures = [...reporting.failedRequests].map(([what, n]) => `${what} (${n}×)`);
  return [
    reporting.rejected.length
      ? `ingestion refused: ${reporting.rejected.map((r) => `${r.id} (${r.reason})`).join(', ')}`
      : '',
    failures.length ? `requests the browser saw fail: ${failures.join('; ')}` : '',
    failures.some((f) => f.includes('net::ERR_FAILED'))
      ? 'net::ERR_FAILED on a cross-origin POST is how Chromium reports a CORS refusal: ' +
        'ingestion must answer the preflight and put Access-Control-Allow-Origin on its answers ' +
        '(CORS_ALLOWED_ORIGINS)'
      : '',
  ]
    .filter(Boolean)
    .join('; ');
}

export interface LiveRunOptions {
  readonly settings: LiveSettings;
  /** Where screenshots go. */
  readonly artifacts: string;
  /** How long to wait for the services in each check (default 30 s). */
  readonly timeoutMs?: number;
  /** Port of the demo page (default: any free one). */
  readonly demoPort?: number;
  /** The sdk-web package directory (to build the demo page when it is stale). */
  readonly packageDir: string;
}

export interface LiveRun {
  readonly ctx: ScenarioContext;
  readonly config: DemoConfig;
  /** The admin's access token. */
  readonly token: string;
  readonly reporting: ReportingLog;
  readonly demoUrl: string;
  close(): Promise<void>;
}

/**
 * Builds the demo page when stale, sets up the hub through the services' APIs, serves the page
 * and opens Chromium. Whatever was started is closed again when a later step fails.
 */
export async function prepareLiveRun(options: LiveRunOptions): Promise<LiveRun> {
  const closers: (() => Promise<void>)[] = [];
  const close = async () => {
    for (const closer of closers.reverse()) await closer().catch(() => undefined);
    closers.length = 0;
  };
  try {
    await ensureDemoBuilt(options.packageDir);
    const { config, token } = await setUpHub(options.settings);
    const backend = await liveBackend(options.settings, config, token);
    closers.push(() => backend.close());
    const server: DemoServer = await startDemoServer(config, options.demoPort ?? 0);
    closers.push(() => server.close());
    const browser: Browser = await launchChromium();
    closers.push(() => browser.close());
    const reporting = watchReporting(browser.context, config.endpoint);
    const withCounts: Backend = {
      events: () => backend.events(),
      annotations: () => backend.annotations(),
      ...(backend.meToos ? { meToos: backend.meToos } : {}),
      receivedCount: (id) => reporting.received(id),
    };
    const ctx: ScenarioContext = {
      browser: browser.context,
      demoUrl: `${server.url}/`,
      config,
      backend: withCounts,
      artifacts: options.artifacts,
      timeoutMs: options.timeoutMs ?? 30_000,
      explain: () => explainReporting(reporting),
    };
    return { ctx, config, token, reporting, demoUrl: ctx.demoUrl, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Runs every scenario, printing ✓/✗ lines; resolves with the number of failures. */
export async function runLiveScenarios(
  ctx: ScenarioContext,
  print: (line: string) => void = console.log,
): Promise<number> {
  let failed = 0;
  for (const [name, scenario] of Object.entries(LIVE_SCENARIOS)) {
    const started = Date.now();
    try {
      await scenario(ctx);
      print(`✓ ${name} (${Date.now() - started} ms)`);
    } catch (error) {
      failed++;
      print(`✗ ${name}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const total = Object.keys(LIVE_SCENARIOS).length;
  print(`sdk-web e2e: ${total - failed} passed, ${failed} failed`);
  return failed;
}
