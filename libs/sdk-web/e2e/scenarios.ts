// The browser proof of issue 6, as scenarios that run against any backend: the local fake
// (test/browser.int-spec.ts, now) or the running ingestion and feedback services
// (e2e/run-live.ts). Each scenario drives the demo page in headless Chromium and checks what the
// backend stored; a failed check throws (node:assert).
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import type { DemoConfig, DemoWidget } from '../demo/config.ts';

export interface BackendEvent {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly event_type: string;
  readonly view_context_ref?: string | null;
  readonly widget_version?: number | null;
}

export interface BackendAnnotation {
  readonly id: string;
  readonly hub_id?: string;
  readonly widget_id: string;
  readonly body: string;
  readonly category: string;
  readonly severity: string;
}

/** What a scenario may ask the backend. */
export interface Backend {
  /** Every event stored for the demo's widgets since the run started, once per row. */
  events(): Promise<BackendEvent[]>;
  /** Annotations as the triage side sees them (the feedback service, in a live run). */
  annotations(): Promise<BackendAnnotation[]>;
  /** How often an event id reached the server, when the backend can tell (the fake can). */
  receivedCount?(id: string): number;
}

export interface ScenarioContext {
  readonly browser: BrowserContext;
  readonly demoUrl: string;
  readonly config: DemoConfig;
  readonly backend: Backend;
  /** Where screenshots go. */
  readonly artifacts: string;
  /** How long to wait for the backend (default 15 s). */
  readonly timeoutMs?: number;
  /** What the run knows about why the backend may lack something (added to time-outs). */
  readonly explain?: () => string;
}

/** Polls `check` until it returns a value (not undefined) or the time is up. */
export async function waitFor<T>(
  what: string,
  check: () => Promise<T | undefined>,
  timeoutMs = 15_000,
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined) return value;
    } catch (error) {
      last = error;
    }
    if (Date.now() > end) {
      throw new Error(
        `timed out waiting for ${what}${last instanceof Error ? `: ${last.message}` : ''}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** `waitFor` with the context's time-out, explaining a time-out with what the run saw. */
async function waitForBackend<T>(
  ctx: ScenarioContext,
  what: string,
  check: () => Promise<T | undefined>,
): Promise<T> {
  try {
    return await waitFor(what, check, ctx.timeoutMs);
  } catch (error) {
    const why = ctx.explain?.();
    if (why && error instanceof Error) error.message += ` (${why})`;
    throw error;
  }
}

async function openDemo(ctx: ScenarioContext): Promise<Page> {
  const page = await ctx.browser.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`the demo page threw: ${error.message}`);
  });
  await page.goto(ctx.demoUrl, { waitUntil: 'load' });
  await page.locator('#react-product').waitFor();
  await page.locator('#vue-profile').waitFor();
  return page;
}

const flush = (page: Page) => page.evaluate(() => window.ihfDemo!.tracker.flush());

/** The demo's widgets, what the page declares about them, and what the scenario does. */
const EXPECTED: Record<DemoWidget, { view: string; version?: number; types: string[] }> = {
  wcCart: { view: 'demo/cart', version: 1, types: ['clicked', 'viewed'] },
  wcNewsletter: { view: 'demo/newsletter', types: ['submitted', 'viewed'] },
  shadowSearch: { view: 'demo/search', types: ['submitted', 'clicked'] },
  reactProduct: { view: 'demo/product', version: 1, types: ['clicked', 'viewed'] },
  reactCheckout: { view: 'demo/checkout', types: ['submitted'] },
  vueProfile: { view: 'demo/profile', types: ['submitted', 'viewed'] },
  wcFooter: { view: 'demo/footer', types: ['viewed'] },
};

/**
 * Clicks, views and submits through every adapter (web component, shadow DOM, React, Vue)
 * arrive with the right widget, hub, view context and version; a widget below the fold is
 * reported as viewed only after it was scrolled into view.
 */
export async function captureScenario(ctx: ScenarioContext): Promise<void> {
  const { config, backend } = ctx;
  const page = await openDemo(ctx);
  try {
    await page.locator('#wc-cart-buy').click();
    await page.locator('#wc-newsletter-form input').fill('someone@example.com');
    await page.locator('#wc-newsletter-form button').click();
    await page.locator('#search-form input').fill('teapot'); // inside demo-search's shadow root
    await page.locator('#search-form button').click();
    await page.locator('#react-add').click();
    await page.locator('#react-checkout input').fill('Ada');
    await page.locator('#react-checkout button').click();
    await page.locator('#vue-profile input').fill('ada');
    await page.locator('#vue-profile button').click();

    const idOf = (w: DemoWidget) => config.widgets[w];
    const has = (events: BackendEvent[], w: DemoWidget, type: string) =>
      events.some((e) => e.widget_id === idOf(w) && e.event_type === type);
    const aboveFold = (Object.keys(EXPECTED) as DemoWidget[]).filter((w) => w !== 'wcFooter');
    // Views count once a widget was visible for viewDuration: poll (flushing what the page
    // captured so far) instead of sleeping.
    const events = await waitForBackend(
      ctx,
      'clicks, submits and views of every adapter',
      async () => {
        await flush(page);
        const all = await backend.events();
        return aboveFold.every((w) => EXPECTED[w].types.every((t) => has(all, w, t)))
          ? all
          : undefined;
      },
    );
    for (const event of events.filter((e) => Object.values(config.widgets).includes(e.widget_id))) {
      const widget = (Object.keys(config.widgets) as DemoWidget[]).find(
        (w) => config.widgets[w] === event.widget_id,
      )!;
      assert.equal(event.hub_id, config.hubId, `hub of ${widget}`);
      assert.equal(event.view_context_ref, EXPECTED[widget].view, `view context of ${widget}`);
      if (EXPECTED[widget].version !== undefined) {
        assert.equal(event.widget_version, EXPECTED[widget].version, `version of ${widget}`);
      }
    }
    assert.ok(!has(events, 'wcFooter', 'viewed'), 'the footer widget was not visible yet');

    mkdirSync(ctx.artifacts, { recursive: true });
    await page.screenshot({ path: join(ctx.artifacts, 'demo.png'), fullPage: false });

    await page.locator('#wc-footer').scrollIntoViewIfNeeded();
    await waitForBackend(ctx, 'the footer widget viewed after scrolling', async () => {
      await flush(page);
      return has(await backend.events(), 'wcFooter', 'viewed') ? true : undefined;
    });
  } finally {
    await page.close();
  }
}

/**
 * The annotation dialog, by keyboard only: opened from the launcher, labelled fields, Escape
 * closes and gives focus back; a note left on the React product card reaches the backend.
 */
export async function annotationScenario(ctx: ScenarioContext): Promise<void> {
  const page = await openDemo(ctx);
  try {
    const launcher = page.getByRole('button', { name: 'Feedback' });
    await launcher.focus();
    await page.keyboard.press('Enter');
    const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
    await dialog.waitFor();
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.equal(
      await page.evaluate(
        () =>
          document.querySelector('[data-ihf-annotate-launcher]')?.shadowRoot?.activeElement
            ?.textContent,
      ),
      'Feedback',
      'focus goes back to the launcher',
    );

    await page.keyboard.press('Enter');
    await dialog.waitFor();
    const widget = page.getByLabel('Widget');
    assert.ok(await widget.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement));
    await widget.selectOption({ label: 'Product (demo/product)' });
    await page.keyboard.press('Tab');
    await page.getByLabel('Category').selectOption('bug');
    await page.keyboard.press('Tab');
    await page.getByLabel('Severity').selectOption('high');
    await page.keyboard.press('Tab');
    const text = `The price does not update after "Add to cart" (${Date.now()})`;
    await page.keyboard.type(text);
    mkdirSync(ctx.artifacts, { recursive: true });
    await page.screenshot({ path: join(ctx.artifacts, 'annotation-dialog.png') });
    await page.keyboard.press('Tab'); // Cancel
    await page.keyboard.press('Tab'); // Send feedback
    await page.keyboard.press('Enter');
    try {
      await dialog
        .getByText('Thank you! Your feedback was sent.')
        .waitFor({ timeout: ctx.timeoutMs ?? 15_000 });
    } catch (error) {
      const alert = await dialog
        .getByRole('alert')
        .allTextContents()
        .catch(() => []);
      const why = [alert.join(' ').trim(), ctx.explain?.()].filter(Boolean).join('; ');
      throw new Error(
        `the dialog did not confirm the annotation${why ? ` (${why})` : ''}: ${String(error)}`,
        { cause: error },
      );
    }
    await page.screenshot({ path: join(ctx.artifacts, 'annotation-sent.png') });

    const note = await waitForBackend(ctx, 'the annotation in the triage data', async () =>
      (await ctx.backend.annotations()).find((a) => a.body === text),
    );
    assert.equal(note.widget_id, ctx.config.widgets.reactProduct);
    if (note.hub_id !== undefined) assert.equal(note.hub_id, ctx.config.hubId);
    assert.equal(note.category, 'bug');
    assert.equal(note.severity, 'high');
  } finally {
    await page.close();
  }
}

/** Ids of the events the page still has queued in localStorage. */
function queuedIds(page: Page): Promise<string[]> {
  return page.evaluate(() =>
    Object.keys(localStorage)
      .filter((k) => k.startsWith('ihf-sdk-queue:'))
      .flatMap((k) => (JSON.parse(localStorage.getItem(k)!) as { events: { id: string }[] }).events)
      .map((e) => e.id),
  );
}

/** With the network cut, events wait in the queue; once it is back they arrive, exactly once. */
export async function offlineScenario(ctx: ScenarioContext): Promise<void> {
  const page = await openDemo(ctx);
  try {
    await flush(page);
    await ctx.browser.setOffline(true);
    for (let i = 0; i < 3; i++) await page.locator('#wc-cart-buy').click();
    await flush(page);
    await page.waitForTimeout(1500);
    const waiting = await queuedIds(page);
    assert.ok(waiting.length >= 3, `3 clicks queued while offline (queued: ${waiting.length})`);
    const before = new Set((await ctx.backend.events()).map((e) => e.id));
    assert.ok(
      waiting.every((id) => !before.has(id)),
      'nothing was sent while offline',
    );

    await ctx.browser.setOffline(false);
    await waitForBackend(ctx, 'the queued events after the network came back', async () => {
      const ids = new Set((await ctx.backend.events()).map((e) => e.id));
      return waiting.every((id) => ids.has(id)) ? true : undefined;
    });
    await waitFor('an empty queue', async () =>
      (await queuedIds(page)).length === 0 ? true : undefined,
    );
    // Exactly once: one stored row per event id.
    const rows = (await ctx.backend.events()).filter((e) => waiting.includes(e.id));
    const perId = new Map<string, number>();
    for (const row of rows) perId.set(row.id, (perId.get(row.id) ?? 0) + 1);
    for (const id of waiting) assert.equal(perId.get(id), 1, `${id} stored exactly once`);
    assert.equal(rows.length, waiting.length, 'each queued event stored exactly once');
    const { backend } = ctx;
    if (backend.receivedCount) {
      // The browser's view of the answers may trail the stored rows by a moment.
      await waitFor('the server answers for the queued events', () =>
        Promise.resolve(waiting.every((id) => backend.receivedCount!(id) >= 1) ? true : undefined),
      );
      for (const id of waiting) assert.equal(backend.receivedCount(id), 1, `${id} sent once`);
    }
  } finally {
    await ctx.browser.setOffline(false);
    await page.close();
  }
}

/** Leaving the page flushes what is pending (fetch keepalive on pagehide). */
export async function unloadScenario(ctx: ScenarioContext): Promise<void> {
  const page = await openDemo(ctx);
  try {
    await flush(page);
    await page.locator('#react-add').click();
    const pending = await queuedIds(page);
    assert.ok(pending.length >= 1, 'the click is pending (flushInterval not reached)');
    // Another page without the SDK: only the pagehide flush can deliver the click.
    await page.goto(`${new URL(ctx.demoUrl).origin}/pages/violations.html`);
    await waitForBackend(ctx, 'the pending click after the page was left', async () => {
      const ids = new Set((await ctx.backend.events()).map((e) => e.id));
      return pending.every((id) => ids.has(id)) ? true : undefined;
    });
  } finally {
    await page.close();
  }
}
