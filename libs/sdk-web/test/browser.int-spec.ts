// The SDK in real headless Chromium (Debian's chromium + playwright-core): the size budget, the
// conformance checker against a page with planted violations and against the demo page, and the
// demo page (web component, shadow DOM, React, Vue, annotation UI) against a stand-in for the
// ingestion service's two endpoints. The same scenarios run against the real services with
// e2e/run-live.ts. Screenshots go to .artifacts/sdk-web/.
import { execFile } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { ensureDemoBuilt } from '../e2e/build-demo.ts';
import { CHROMIUM_PATH, launchChromium, type Browser } from '../e2e/chromium.ts';
import { startFakeIngestion, type FakeIngestion } from '../e2e/fake-ingestion.ts';
import {
  annotationScenario,
  captureScenario,
  inWidgetScenario,
  meTooScenario,
  offlineScenario,
  pointScenario,
  unloadScenario,
  waitFor,
  type ScenarioContext,
} from '../e2e/scenarios.ts';
import { startDemoServer, type DemoServer } from '../e2e/serve.ts';
import type { DemoConfig } from '../demo/config.ts';

const PKG = join(__dirname, '..');
const ARTIFACTS = join(PKG, '../../.artifacts/sdk-web');
const HUB = '5d6f1c2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f';
const API_KEY = 'ihf_demo1234_s3cr3t';
const widget = (n: number) => `0b6e4f7a-2c1d-4e8f-9a3b-${String(n).padStart(12, '0')}`;
const config = (endpoint: string): DemoConfig => ({
  endpoint,
  apiKey: API_KEY,
  hubId: HUB,
  widgets: {
    wcCart: widget(1),
    wcNewsletter: widget(2),
    wcFooter: widget(3),
    shadowSearch: widget(4),
    reactProduct: widget(5),
    reactCheckout: widget(6),
    vueProfile: widget(7),
  },
  flushInterval: 3000,
  viewDuration: 400,
  reporterId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
  knownIssue: {
    candidateId: '8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e',
    title: 'The cart total does not update',
    widget: 'wcCart',
  },
});

let fake: FakeIngestion;
let server: DemoServer;
let browser: Browser;
let ctx: ScenarioContext;

/** Runs the conformance checker as a user would; resolves with its exit code and output. */
function check(...args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      [join(PKG, 'bin/ihf-sdk-check.mjs'), ...args],
      { cwd: PKG, timeout: 50_000 },
      (error, stdout, stderr) =>
        resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr }),
    );
  });
}

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: apt-get install -y chromium (or set IHF_CHROMIUM)`,
    );
  }
  await ensureDemoBuilt(PKG);
  fake = await startFakeIngestion(API_KEY, HUB);
  server = await startDemoServer(config(fake.url));
  browser = await launchChromium();
  ctx = {
    browser: browser.context,
    demoUrl: `${server.url}/`,
    config: config(fake.url),
    artifacts: ARTIFACTS,
    backend: {
      events: () => Promise.resolve([...fake.events]),
      annotations: () => Promise.resolve([...fake.annotations]),
      meToos: () => Promise.resolve([...fake.meToos]),
      receivedCount: (id) => fake.received.get(id) ?? 0,
    },
  };
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

describe('size budget', () => {
  it('keeps the minified core under 6 KB gzipped, with no runtime dependency', () => {
    const core = readFileSync(join(PKG, 'dist/browser/ihf-sdk.min.js'));
    const gzipped = gzipSync(core, { level: 9 }).length;
    console.log(`core: ${core.length} B minified, ${gzipped} B gzipped (budget 6144 B)`);
    expect(gzipped).toBeLessThan(6 * 1024);
    expect(core.toString()).not.toMatch(/\bfrom\s*["'][^"'.]/); // no bare imports left
    const manifest = JSON.parse(readFileSync(join(PKG, 'package.json'), 'utf8')) as {
      dependencies?: Record<string, string>;
    };
    expect(manifest.dependencies ?? {}).toEqual({});
  });
});

describe('ihf-sdk-check (conformance checker)', () => {
  it('finds every violation planted in the test page and exits 1', async () => {
    const { code, stdout } = await check(`${server.url}/pages/violations.html`, '--json');
    expect(code).toBe(1);
    const report = JSON.parse(stdout) as {
      widgets: number;
      violations: number;
      elements: { path: string; violations: { reason: string; attribute: string }[] }[];
    };
    const found = report.elements.map((e) => [
      e.path.split('#').pop(),
      e.violations.map((v) => `${v.reason}:${v.attribute}`).sort(),
    ]);
    expect(found).toEqual([
      ['v-missing-hub', ['missing_attribute:data-hub-id']],
      ['v-bad-widget-id', ['invalid_widget_id:data-widget-id']],
      ['v-bad-hub-id', ['invalid_hub_id:data-hub-id']],
      ['v-long-context', ['invalid_view_context:data-view-context']],
      [
        'v-blank-id-no-context',
        ['missing_attribute:data-view-context', 'missing_attribute:data-widget-id'],
      ],
      ['v-bad-version', ['invalid_widget_version:data-widget-version']],
      [
        'v-empty-element',
        [
          'missing_attribute:data-hub-id',
          'missing_attribute:data-view-context',
          'missing_attribute:data-widget-id',
        ],
      ],
      ['v-conflicting-hub', ['conflicting_hub:data-hub-id']],
      ['v-shadow-missing-hub', ['missing_attribute:data-hub-id']],
    ]);
    expect(report.violations).toBe(12);
    expect(report.widgets).toBe(11);
    expect(report.elements.at(-1)!.path).toContain('x-shadow-host#host >>> ');
  });

  it('lists them readably without --json', async () => {
    const { code, stdout } = await check(`${server.url}/pages/violations.html`);
    expect(code).toBe(1);
    expect(stdout.match(/^✗ /gm)).toHaveLength(9);
    expect(stdout).toContain('12 violation(s) in 9 of 11 widget element(s)');
  });

  it('finds none in the demo page (web component, shadow DOM, React, Vue)', async () => {
    const { code, stdout } = await check(
      `${server.url}/`,
      '--json',
      '--wait-for',
      '#vue-profile',
      '--require-widgets',
    );
    const report = JSON.parse(stdout) as {
      widgets: number;
      violations: number;
      warnings: string[];
    };
    expect({ code, violations: report.violations, warnings: report.warnings }).toEqual({
      code: 0,
      violations: 0,
      warnings: [],
    });
    expect(report.widgets).toBe(7);
  });

  it('exits 2 when the page cannot be checked', async () => {
    const { code, stderr } = await check('http://127.0.0.1:9/');
    expect(code).toBe(2);
    expect(stderr).toContain('ihf-sdk-check:');
  });
});

describe('demo page in Chromium, against a stand-in ingestion service', () => {
  it('reports clicks, views and submits of every adapter with widget, hub and view context', () =>
    captureScenario(ctx));

  it('takes an annotation through the accessible dialog, by keyboard', () =>
    annotationScenario(ctx));

  it('binds a note to the widget pointed at on the page, and to its version ("Point at it")', () =>
    pointScenario(ctx));

  it('opens the dialog about a widget from its own button and from Alt+Shift+F inside it', () =>
    inWidgetScenario(ctx));

  it('says "me too" about a known issue from the dialog, by keyboard, counted once', () =>
    meTooScenario(ctx));

  it('keeps events while offline and sends them exactly once when back online', () =>
    offlineScenario(ctx));

  it('flushes pending events when the page is left', () => unloadScenario(ctx));

  it('retries after a 503, honouring Retry-After, without duplicates', async () => {
    const page = await ctx.browser.newPage();
    try {
      await page.goto(ctx.demoUrl);
      await page.locator('#vue-profile').waitFor();
      await page.evaluate(() => window.ihfDemo!.tracker.flush());
      const start = fake.requests.length;
      const stored = fake.events.length;
      fake.failNext(1, 503, 2);
      await page.locator('#wc-cart-buy').click();
      const sentAt = Date.now();
      await page.evaluate(() => window.ihfDemo!.tracker.flush());
      await waitFor('a 202 after the 503', () =>
        Promise.resolve(
          fake.requests.slice(start).some((r) => r.status === 202) ? true : undefined,
        ),
      );
      // Retry-After: 2 s, longer than the SDK's own first back-off (0.5–1 s) could be.
      expect(Date.now() - sentAt).toBeGreaterThanOrEqual(1900);
      const statuses = fake.requests.slice(start).map((r) => r.status);
      expect(statuses.slice(0, 2)).toEqual([503, 202]);
      const clicks = fake.events
        .slice(stored)
        .filter((e) => e.widget_id === ctx.config.widgets.wcCart && e.event_type === 'clicked');
      expect(clicks).toHaveLength(1);
      expect(fake.received.get(clicks[0].id)).toBe(1);
    } finally {
      await page.close();
    }
  });

  it('saved the screenshots', () => {
    for (const file of [
      'demo.png',
      'annotation-dialog.png',
      'annotation-sent.png',
      'annotation-point.png',
      'annotation-me-too.png',
    ]) {
      expect(existsSync(join(ARTIFACTS, file))).toBe(true);
    }
  });
});
