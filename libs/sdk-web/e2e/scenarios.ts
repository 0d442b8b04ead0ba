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
  readonly widget_version?: number | null;
}

/** What a scenario may ask the backend. */
export interface Backend {
  /** Every event stored for the demo's widgets since the run started, once per row. */
  events(): Promise<BackendEvent[]>;
  /** Annotations as the triage side sees them (the feedback service, in a live run). */
  annotations(): Promise<BackendAnnotation[]>;
  /** "Me too" posts the backend stored (the fake's; feedback's votes in a live run). */
  readonly meToos?: () => Promise<
    { candidate_id: string; reporter_id: string; widget_id?: string }[]
  >;
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
    const launcher = page.getByRole('button', { name: 'Feedback', exact: true });
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
    await page.keyboard.press('Tab'); // Point at it
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

/** The element that holds the dialog in its shadow root. */
const dialogHost = (page: Page) => page.locator('[data-ihf-annotate]');

/** Sends the open dialog's note by keyboard and waits for the backend to have it. */
async function sendNote(ctx: ScenarioContext, page: Page, text: string) {
  const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
  await page.getByLabel('Your feedback').fill(text);
  await dialog.getByRole('button', { name: 'Send feedback' }).click();
  await dialog
    .getByText('Thank you! Your feedback was sent.')
    .waitFor({ timeout: ctx.timeoutMs ?? 15_000 });
  return waitForBackend(ctx, 'the annotation in the triage data', async () =>
    (await ctx.backend.annotations()).find((a) => a.body === text),
  );
}

/**
 * "Point at it": from the launcher's dialog the page dims, the widget under the pointer is
 * highlighted, the widgets are reachable by Tab in page order, Escape goes back without a
 * choice, and a click on a widget binds the note to it and its version.
 */
export async function pointScenario(ctx: ScenarioContext): Promise<void> {
  const page = await openDemo(ctx);
  try {
    await page.getByRole('button', { name: 'Feedback', exact: true }).click();
    const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
    await dialog.getByRole('button', { name: 'Point at it' }).click();
    const picker = page.getByRole('dialog', { name: /Point at the part of the page/ });
    await picker.waitFor();
    assert.ok(!(await dialog.isVisible()), 'the dialog steps aside while pointing');
    await page.mouse.move(1, 1); // over the page's header, no widget
    const dim = await dialogHost(page).evaluate(
      (host) =>
        getComputedStyle(host.shadowRoot!.querySelector('dialog.picker')!, '::backdrop')
          .backgroundColor,
    );
    const alpha = Number(/rgba\(.*,\s*([\d.]+)\)/.exec(dim)?.[1] ?? 0);
    assert.ok(alpha >= 0.4, `the page dims (backdrop ${dim})`);

    // Keyboard: Tab walks the widgets in page order.
    const names: string[] = [];
    for (let i = 0; i < 7; i++) {
      await page.keyboard.press('Tab');
      names.push(
        await dialogHost(page).evaluate(
          (host) => host.shadowRoot!.activeElement?.textContent ?? '',
        ),
      );
    }
    assert.deepEqual(names, [
      'Cart (demo/cart)',
      'Newsletter (demo/newsletter)',
      'Search (shadow DOM) (demo/search)',
      'Product (demo/product)',
      'Checkout (demo/checkout)',
      'Profile (demo/profile)',
      'Footer offers (demo/footer)',
    ]);
    // The footer, below the fold, was scrolled into view and its target followed it.
    const footer = await page.locator('#wc-footer').boundingBox();
    const target = await dialogHost(page).evaluate((host) => {
      const box = host.shadowRoot!.activeElement!.getBoundingClientRect();
      return { x: box.x, y: box.y, width: box.width, height: box.height };
    });
    assert.ok(footer && footer.y + footer.height <= 800, 'the footer is on screen');
    for (const k of ['x', 'y', 'width', 'height'] as const) {
      assert.ok(Math.abs(footer[k] - target[k]) <= 1, `the target covers the footer (${k})`);
    }
    await page.keyboard.press('Tab'); // round again
    assert.equal(
      await dialogHost(page).evaluate((host) => host.shadowRoot!.activeElement?.textContent),
      'Cart (demo/cart)',
    );
    await page.keyboard.press('Escape');
    await picker.waitFor({ state: 'detached' });
    await dialog.waitFor();
    assert.equal(
      await dialogHost(page).evaluate((host) => host.shadowRoot!.activeElement?.id),
      'ihf-point',
      'Escape goes back to the dialog, on "Point at it"',
    );
    assert.equal(
      await dialogHost(page).evaluate(
        (host) => host.shadowRoot!.getElementById('ihf-desc')!.textContent,
      ),
      'Choose the part of the page your feedback is about.',
    );

    // Pointer: the widget under it is highlighted; a click chooses it.
    await page.keyboard.press('Enter');
    await picker.waitFor();
    await page.evaluate(() => scrollTo(0, 0));
    const cart = await page.locator('#wc-cart').boundingBox();
    assert.ok(cart, 'the cart widget is on screen');
    await page.mouse.move(cart.x + cart.width / 2, cart.y + 10);
    const hovered = await dialogHost(page).evaluate((host) => {
      const target = Array.from(host.shadowRoot!.querySelectorAll('.target')).find((t) =>
        t.matches(':hover'),
      );
      const picker = host.shadowRoot!.querySelector('dialog.picker')!;
      return (
        target && {
          name: target.textContent,
          border: getComputedStyle(target).borderStyle,
          // The spotlight: the dim moves from the backdrop to around the widget.
          spotlight: getComputedStyle(target).boxShadow.includes('rgba(15, 23, 42, 0.55)'),
          backdrop: getComputedStyle(picker, '::backdrop').backgroundColor,
        }
      );
    });
    assert.deepEqual(hovered, {
      name: 'Cart (demo/cart)',
      border: 'solid',
      spotlight: true,
      backdrop: 'rgba(0, 0, 0, 0)',
    });
    mkdirSync(ctx.artifacts, { recursive: true });
    await page.screenshot({ path: join(ctx.artifacts, 'annotation-point.png') });
    await page.mouse.click(cart.x + cart.width / 2, cart.y + 10);
    await picker.waitFor({ state: 'detached' });
    assert.equal(
      await dialogHost(page).evaluate(
        (host) => host.shadowRoot!.getElementById('ihf-desc')!.textContent,
      ),
      'About: Cart (demo/cart), version 1.',
    );
    assert.equal(
      await dialogHost(page).evaluate((host) => host.shadowRoot!.activeElement?.id),
      'ihf-widget',
      'focus on the list, which now names the chosen widget',
    );
    const note = await sendNote(ctx, page, `Pointed at the cart (${Date.now()})`);
    assert.equal(note.widget_id, ctx.config.widgets.wcCart);
    assert.equal(note.widget_version, 1, 'bound to the version the widget declares');
  } finally {
    await page.close();
  }
}

/**
 * From inside a widget: its own Feedback button, and Alt+Shift+F while a field of another widget
 * has the focus, open the dialog with that widget chosen; focus goes back where it was.
 */
export async function inWidgetScenario(ctx: ScenarioContext): Promise<void> {
  const page = await openDemo(ctx);
  try {
    const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
    const cartButton = page.getByRole('button', { name: 'Feedback on Cart (demo/cart)' });
    await cartButton.focus();
    await page.keyboard.press('Enter');
    await dialog.waitFor();
    assert.equal(
      await dialogHost(page).evaluate(
        (host) => host.shadowRoot!.getElementById('ihf-desc')!.textContent,
      ),
      'About: Cart (demo/cart), version 1.',
    );
    await page.keyboard.press('Escape');
    await dialog.waitFor({ state: 'detached' });
    assert.ok(
      await cartButton.evaluate((b) => (b.getRootNode() as ShadowRoot).activeElement === b),
      "focus goes back to the widget's button",
    );

    const email = page.locator('#wc-newsletter-form input');
    await email.focus();
    await page.keyboard.press('Alt+Shift+KeyF');
    await dialog.waitFor();
    assert.equal(
      await dialogHost(page).evaluate(
        (host) => host.shadowRoot!.getElementById('ihf-desc')!.textContent,
      ),
      'About: Newsletter (demo/newsletter).',
    );
    assert.equal(
      await dialogHost(page).evaluate((host) => {
        const select = host.shadowRoot!.getElementById('ihf-widget') as HTMLSelectElement;
        return select.selectedOptions[0].textContent;
      }),
      'Newsletter (demo/newsletter)',
    );
    const note = await sendNote(ctx, page, `From inside the newsletter (${Date.now()})`);
    assert.equal(note.widget_id, ctx.config.widgets.wcNewsletter);
    await dialog.getByRole('button', { name: 'Back to the page' }).click();
    await dialog.waitFor({ state: 'detached' });
    assert.ok(await email.evaluate((e) => e === document.activeElement), 'focus back in the field');
  } finally {
    await page.close();
  }
}

/**
 * "Me too" on a known issue from the dialog (issue 16): opened from the widget's own button, the
 * dialog lists the issue with a labelled button; pressing it (by keyboard) counts the person
 * once, says so in the status region, and the button says "Counted".
 */
export async function meTooScenario(ctx: ScenarioContext): Promise<void> {
  const known = ctx.config.knownIssue;
  assert.ok(
    known && ctx.config.reporterId && ctx.backend.meToos,
    'the run configures a known issue',
  );
  const page = await openDemo(ctx);
  try {
    const button = page
      .locator('#wc-cart [data-ihf-annotate-widget]')
      .getByRole('button', { name: /^Feedback on / });
    await button.click();
    const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
    await dialog.waitFor();
    await dialog.getByRole('group', { name: /me too/i }).waitFor();
    const meToo = dialog.getByRole('button', { name: `Me too: ${known.title}` });
    await meToo.focus();
    await page.keyboard.press('Enter');
    await dialog.getByRole('button', { name: `Counted: ${known.title}` }).waitFor();
    assert.match(
      (await dialog.getByRole('status').textContent()) ?? '',
      /You were counted for/,
      'the status region says it was counted',
    );
    mkdirSync(ctx.artifacts, { recursive: true });
    await page.screenshot({ path: join(ctx.artifacts, 'annotation-me-too.png') });
    const stored = await waitForBackend(ctx, 'the "me too" at the backend', async () => {
      const all = (await ctx.backend.meToos!()).filter(
        (m) => m.candidate_id === known.candidateId && m.reporter_id === ctx.config.reporterId,
      );
      return all.length > 0 ? all : undefined;
    });
    assert.equal(stored.length, 1, 'counted once');
    if (stored[0].widget_id !== undefined) {
      assert.equal(stored[0].widget_id, ctx.config.widgets[known.widget]);
    }
  } finally {
    await page.close();
  }
}
