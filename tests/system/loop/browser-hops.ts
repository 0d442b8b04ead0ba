// Hops 3 and 4 of the loop in a real browser: the SDK demo shop page (libs/sdk-web/demo), wired
// to the hub, in headless Chromium. A visitor looks around, clicks "Add to cart" a few times and
// leaves feedback through the SDK's in-page dialog. The reporting endpoint's answers are
// watched from inside the browser (which ids ingestion accepted). Screenshots of the page and
// the dialog go to `artifacts`.
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { ensureDemoBuilt } from '../../../libs/sdk-web/e2e/build-demo.ts';
import { launchChromium, type Browser } from '../../../libs/sdk-web/e2e/chromium.ts';
import { watchReporting, type ReportingLog } from '../../../libs/sdk-web/e2e/live-run.ts';
import { startDemoServer, type DemoServer } from '../../../libs/sdk-web/e2e/serve.ts';
import type { Hub } from './loop.ts';

export interface DemoBrowser {
  readonly demoUrl: string;
  readonly reporting: ReportingLog;
  /** Page errors seen (the demo page must not throw). */
  readonly pageErrors: string[];
  newPage(): Promise<Page>;
  close(): Promise<void>;
}

/** Builds the demo page when stale, serves it wired to the hub and opens Chromium. */
export async function openDemoBrowser(
  root: string,
  ingestionUrl: string,
  hub: Hub,
): Promise<DemoBrowser> {
  await ensureDemoBuilt(join(root, 'libs/sdk-web'));
  const server: DemoServer = await startDemoServer({
    endpoint: ingestionUrl,
    apiKey: hub.apiKey,
    hubId: hub.hubId,
    widgets: hub.widgets,
    viewDuration: 400,
  });
  let browser: Browser;
  try {
    browser = await launchChromium();
  } catch (error) {
    await server.close();
    throw error;
  }
  const pageErrors: string[] = [];
  return {
    demoUrl: `${server.url}/`,
    reporting: watchReporting(browser.context, ingestionUrl),
    pageErrors,
    newPage: async () => {
      const page = await browser.context.newPage();
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}/`, { waitUntil: 'load' });
      await page.locator('#react-product').waitFor();
      await page.locator('#vue-profile').waitFor();
      return page;
    },
    close: async () => {
      await browser.close();
      await server.close();
    },
  };
}

const flush = (page: Page) => page.evaluate(() => window.ihfDemo!.tracker.flush());

/**
 * Hop 3: the visitor views the product and clicks "Add to cart" `clicks` times, scrolls down
 * the page, and the SDK flushes its queue. Saves `demo.png`.
 */
export async function browseAndClick(page: Page, artifacts: string, clicks: number) {
  // Views count after the widget was visible for viewDuration (400 ms).
  await page.waitForTimeout(600);
  for (let i = 0; i < clicks; i++) await page.locator('#react-add').click();
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'demo.png') });
  await page.mouse.wheel(0, 2000);
  await page.waitForTimeout(600);
  await flush(page);
}

/**
 * Hop 4: feedback through the SDK's dialog (the launcher at the bottom right), about the
 * product widget, by keyboard where a user would. Saves `annotation-dialog.png` and
 * `annotation-sent.png`.
 */
export async function leaveFeedback(
  page: Page,
  artifacts: string,
  note: { body: string; category: string; severity: string; widgetLabel: string },
  timeoutMs = 30_000,
): Promise<void> {
  await page.mouse.wheel(0, -4000);
  await page.getByRole('button', { name: 'Feedback', exact: true }).click();
  const dialog = page.getByRole('dialog', { name: 'Leave feedback' });
  await dialog.waitFor();
  await page.getByLabel('Widget').selectOption({ label: note.widgetLabel });
  await page.getByLabel('Category').selectOption(note.category);
  await page.getByLabel('Severity').selectOption(note.severity);
  await page.getByLabel('Severity').focus();
  await page.keyboard.press('Tab');
  await page.keyboard.type(note.body);
  mkdirSync(artifacts, { recursive: true });
  await page.screenshot({ path: join(artifacts, 'annotation-dialog.png') });
  await dialog.getByRole('button', { name: 'Send feedback' }).click();
  await dialog.getByText('Thank you! Your feedback was sent.').waitFor({ timeout: timeoutMs });
  await page.screenshot({ path: join(artifacts, 'annotation-sent.png') });
}
