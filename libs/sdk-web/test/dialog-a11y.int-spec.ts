// Accessibility of the feedback dialog and its launcher in real headless Chromium: axe-core on
// every state (at rest, open, error, pointing, sent, 320 px wide), and scripted checks of what
// the rules cannot see: the page behind the dialog inert and out of the accessibility tree, the
// thank-you announced through a region that was there before it, a description per state and
// buttons named apart, the error cleared once the text is valid, focus given back to whatever
// opened the dialog, the focus ring's contrast computed from the rendered colours, and the
// dialog's edge in forced-colours mode. Screenshots of each state go to .artifacts/sdk-web/a11y/.
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { CDPSession, Page } from 'playwright-core';
import { ensureDemoBuilt } from '../e2e/build-demo.ts';
import { launchChromium, type Browser } from '../e2e/chromium.ts';
import { startFakeIngestion, type FakeIngestion } from '../e2e/fake-ingestion.ts';
import { startDemoServer, type DemoServer } from '../e2e/serve.ts';
import type { DemoConfig } from '../demo/config.ts';

const PKG = join(__dirname, '..');
const ARTIFACTS = join(PKG, '../../.artifacts/sdk-web/a11y');
const HUB = '5d6f1c2e-8a4b-4c3d-9e2f-1a2b3c4d5e6f';
const API_KEY = 'ihf_demo1234_s3cr3t';
const widget = (n: number) => `0b6e4f7a-2c1d-4e8f-9a3b-${String(n).padStart(12, '0')}`;
const AXE = readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');
/** WCAG 2.x A and AA, and axe's best practices. */
const AXE_TAGS = ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'];

let fake: FakeIngestion;
let server: DemoServer;
let browser: Browser;
let page: Page;

beforeAll(async () => {
  await ensureDemoBuilt(PKG);
  fake = await startFakeIngestion(API_KEY, HUB);
  const config: DemoConfig = {
    endpoint: fake.url,
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
    flushInterval: 60_000,
    viewDuration: 400,
    // "Me too" on a known issue of the cart (issue 16).
    reporterId: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
    knownIssue: {
      candidateId: '8b2c3d4e-5f6a-4b7c-9d8e-0f1a2b3c4d5e',
      title: 'The cart total does not update',
      widget: 'wcCart',
    },
  };
  server = await startDemoServer(config);
  browser = await launchChromium();
  mkdirSync(ARTIFACTS, { recursive: true });
}, 60_000);

afterAll(async () => {
  await browser?.close();
  await server?.close();
  await fake?.close();
});

beforeEach(async () => {
  page = await browser.context.newPage();
  page.on('pageerror', (error) => {
    throw new Error(`the demo page threw: ${error.message}`);
  });
  await page.goto(`${server.url}/`);
  await page.locator('#vue-profile').waitFor();
});
afterEach(async () => {
  await page.emulateMedia({ forcedColors: 'none' });
  await page.close();
});

const dialog = () => page.getByRole('dialog', { name: 'Leave feedback' });
const launcher = () => page.getByRole('button', { name: 'Feedback', exact: true });
/** The dialog's description, as its aria-describedby names it. */
const description = () =>
  page.locator('[data-ihf-annotate]').evaluate((host) => {
    const root = host.shadowRoot!;
    const d = root.querySelector('[aria-labelledby][aria-describedby]')!;
    return root.getElementById(d.getAttribute('aria-describedby')!)!.textContent;
  });

/** Opens the dialog from the launcher by keyboard. */
async function openFromLauncher() {
  await launcher().focus();
  await page.keyboard.press('Enter');
  await dialog().waitFor();
}

/** The rules the last axe run found satisfied (to know it looked into the shadow roots). */
let lastPasses: string[] = [];

/** axe-core's violations within the SDK's own elements (the host page is not ours to judge). */
async function axe(state: string): Promise<string[]> {
  await page.screenshot({ path: join(ARTIFACTS, `${state}.png`) });
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ content: AXE });
  const violations = await page.evaluate(async (tags) => {
    const run = (window as unknown as { axe: typeof import('axe-core') }).axe.run;
    const include = Array.from(
      document.querySelectorAll('[data-ihf-annotate],[data-ihf-annotate-launcher]'),
    );
    const result = await run(
      { include },
      { runOnly: { type: 'tag', values: tags }, resultTypes: ['violations'] },
    );
    return {
      passes: result.passes.map((p) => p.id),
      violations: result.violations.map(
        (v) => `${v.id}: ${v.help} (${v.nodes.map((n) => n.target.join(' ')).join(', ')})`,
      ),
    };
  }, AXE_TAGS);
  lastPasses = violations.passes;
  return violations.violations.map((v) => `${state}: ${v}`);
}

/** Chromium's accessibility tree: the buttons it exposes, by name (ignored nodes left out). */
async function exposedButtons(cdp: CDPSession): Promise<string[]> {
  const { nodes } = (await cdp.send('Accessibility.getFullAXTree')) as {
    nodes: { ignored: boolean; role?: { value: string }; name?: { value: string } }[];
  };
  return nodes
    .filter((n) => !n.ignored && n.role?.value === 'button')
    .map((n) => n.name?.value ?? '');
}

/** WCAG contrast ratio of two `rgb()`/`rgba()` colours (opaque ones). */
function contrast(a: string, b: string): number {
  const luminance = (css: string) => {
    const [r, g, b] = (css.match(/[\d.]+/g) ?? []).slice(0, 3).map((c) => {
      const v = Number(c) / 255;
      return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r + 0.7152 * g + 0.0722 * b;
  };
  const [hi, lo] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (hi + 0.05) / (lo + 0.05);
}

describe('feedback dialog: axe-core', () => {
  it('finds no violation in the launcher and the dialog in any state', async () => {
    const found: string[] = [];
    found.push(...(await axe('at-rest')));
    await openFromLauncher();
    found.push(...(await axe('open')));
    // axe looked into the dialog's shadow root: its labelled fields were checked.
    expect(lastPasses).toEqual(expect.arrayContaining(['label', 'button-name', 'color-contrast']));
    await dialog().getByRole('button', { name: 'Send feedback' }).click();
    await page.locator('[data-ihf-annotate] #ihf-body[aria-invalid=true]').waitFor();
    found.push(...(await axe('error')));
    await dialog().getByRole('button', { name: 'Point at it' }).click();
    await page.getByRole('dialog', { name: /Point at the part/ }).waitFor();
    await page.keyboard.press('Tab');
    found.push(...(await axe('pointing')));
    await page.keyboard.press('Enter');
    await page.getByLabel('Your feedback').fill('The total does not update');
    await dialog().getByRole('button', { name: 'Send feedback' }).click();
    await dialog().getByRole('button', { name: 'Back to the page' }).waitFor();
    found.push(...(await axe('sent')));
    await page.keyboard.press('Enter');
    await page.setViewportSize({ width: 320, height: 640 });
    found.push(...(await axe('at-rest-320px')));
    await openFromLauncher();
    found.push(...(await axe('open-320px')));
    await page.keyboard.press('Escape');
    // "Me too" on the cart's known issue: the group, then the counted state (focus kept).
    await page
      .locator('#wc-cart [data-ihf-annotate-widget]')
      .getByRole('button', { name: /^Feedback on / })
      .click();
    await dialog()
      .getByRole('group', { name: /me too/i })
      .waitFor();
    found.push(...(await axe('me-too-320px')));
    await dialog()
      .getByRole('button', { name: /^Me too: / })
      .click();
    const counted = dialog().getByRole('button', { name: /^Counted: / });
    await counted.waitFor();
    expect(
      await counted.evaluate((el) => el === (el.getRootNode() as ShadowRoot).activeElement),
    ).toBe(true);
    found.push(...(await axe('me-too-counted-320px')));
    // Nothing cut off at 320 px: the dialog fits the viewport's width.
    const box = await page.locator('[data-ihf-annotate] dialog').boundingBox();
    expect(box!.x).toBeGreaterThanOrEqual(0);
    expect(box!.x + box!.width).toBeLessThanOrEqual(320);
    expect(found).toEqual([]);
  });
});

describe('feedback dialog: what the rules cannot see', () => {
  it('makes the page behind it inert and hides it from the accessibility tree, and gives it back', async () => {
    const cdp = await page.context().newCDPSession(page);
    const buy = page.locator('#wc-cart-buy');
    expect(await exposedButtons(cdp)).toContain('Buy now');
    await openFromLauncher();
    expect(await exposedButtons(cdp)).not.toContain('Buy now');
    expect(await exposedButtons(cdp)).toContain('Send feedback');
    // Not focusable, not clickable: the backdrop is on top and the page is inert.
    await buy.evaluate((b: HTMLElement) => b.focus());
    expect(await buy.evaluate((b) => b === document.activeElement)).toBe(false);
    // showModal() does it: no attribute of ours is left on the host page to undo.
    expect(await page.evaluate(() => document.querySelectorAll('[inert]').length)).toBe(0);
    await page.keyboard.press('Escape');
    await dialog().waitFor({ state: 'detached' });
    expect(await exposedButtons(cdp)).toContain('Buy now');
    await buy.evaluate((b: HTMLElement) => b.focus());
    expect(await buy.evaluate((b) => b === document.activeElement)).toBe(true);
    await buy.click(); // and clickable again
  });

  it('announces the thank-you through the status region that was there, empty, before it', async () => {
    await openFromLauncher();
    const region = await page.locator('[data-ihf-annotate] [role=status]').elementHandle();
    expect(await region.evaluate((r) => [r.getAttribute('aria-live'), r.textContent])).toEqual([
      'polite',
      '',
    ]);
    await page.getByLabel('Your feedback').fill('The total does not update');
    await dialog().getByRole('button', { name: 'Send feedback' }).click();
    await dialog().getByText('Thank you! Your feedback was sent.').waitFor();
    // The very same node, still in the dialog, now holds the text.
    expect(await region.evaluate((r) => [r.isConnected, r.textContent])).toEqual([
      true,
      'Thank you! Your feedback was sent.',
    ]);
    expect(await page.locator('[data-ihf-annotate] [role=status]').count()).toBe(1);
  });

  it('describes each state, and names the confirmation buttons apart', async () => {
    await openFromLauncher();
    expect(await description()).toBe('Choose the part of the page your feedback is about.');
    await page.getByLabel('Widget').selectOption({ label: 'Product (demo/product)' });
    expect(await description()).toBe('About: Product (demo/product), version 1.');
    await page.getByLabel('Your feedback').fill('The price does not update');
    await dialog().getByRole('button', { name: 'Send feedback' }).click();
    await dialog().getByRole('button', { name: 'Back to the page' }).waitFor();
    expect(await description()).toBe(
      'Your feedback about Product (demo/product), version 1 was sent. You can go back to the page.',
    );
    const names = await dialog()
      .getByRole('button')
      .evaluateAll((buttons) =>
        buttons.map((b) => b.getAttribute('aria-label') ?? b.textContent ?? ''),
      );
    expect(names).toEqual(['Close', 'Back to the page']);
    expect(await dialog().getByRole('button', { name: 'Close', exact: true }).count()).toBe(1);
  });

  it('clears the error and aria-invalid once the text is valid', async () => {
    const stored = fake.annotations.length;
    await openFromLauncher();
    const body = page.getByLabel('Your feedback');
    await dialog().getByRole('button', { name: 'Send feedback' }).click();
    await expect(body.getAttribute('aria-invalid')).resolves.toBe('true');
    const alert = dialog().getByRole('alert');
    expect(await alert.textContent()).toBe('Please describe your feedback before sending it.');
    await page.keyboard.type('   '); // blank still: the error stays
    expect(await body.getAttribute('aria-invalid')).toBe('true');
    await page.keyboard.type('The total');
    expect(await body.getAttribute('aria-invalid')).toBeNull();
    expect(await alert.textContent()).toBe('');
    expect(fake.annotations).toHaveLength(stored);
  });

  it('gives focus back to what opened it: the launcher, a widget button, a field', async () => {
    const focusedIn = (selector: string) =>
      page
        .locator(selector)
        .evaluate((host) => host.shadowRoot?.activeElement?.textContent ?? null);
    await openFromLauncher();
    await page.keyboard.press('Escape');
    expect(await focusedIn('[data-ihf-annotate-launcher]')).toBe('Feedback');
    await openFromLauncher();
    await dialog().getByRole('button', { name: 'Close', exact: true }).click();
    expect(await focusedIn('[data-ihf-annotate-launcher]')).toBe('Feedback');

    // A click on the backdrop (outside the dialog's box) closes it too.
    await launcher().click();
    await dialog().waitFor();
    await page.mouse.click(5, 795);
    await dialog().waitFor({ state: 'detached' });
    expect(await focusedIn('[data-ihf-annotate-launcher]')).toBe('Feedback');

    await page.getByRole('button', { name: 'Feedback on Cart (demo/cart)' }).focus();
    await page.keyboard.press('Enter');
    await dialog().waitFor();
    await page.keyboard.press('Escape');
    expect(await focusedIn('#wc-cart [data-ihf-annotate-widget]')).toBe('Feedback');

    await page.locator('#vue-profile input').focus();
    await page.keyboard.press('Alt+Shift+KeyF');
    await dialog().waitFor();
    expect(await description()).toBe('About: Profile (demo/profile).');
    await page.keyboard.press('Escape');
    expect(
      await page.locator('#vue-profile input').evaluate((i) => i === document.activeElement),
    ).toBe(true);
  });

  it('draws a focus ring of at least 3:1 against the dialog and around the launcher', async () => {
    const ring = (locator: ReturnType<Page['locator']>) =>
      locator.evaluate((el) => {
        const style = getComputedStyle(el);
        return {
          outline: style.outlineColor,
          outlineStyle: style.outlineStyle,
          band: /rgba?\([^)]*\)/.exec(style.boxShadow)?.[0] ?? '',
          background: style.backgroundColor,
        };
      });
    await launcher().focus();
    await page.keyboard.press('Shift+Tab');
    await page.keyboard.press('Tab'); // focused by keyboard: :focus-visible
    const around = await ring(page.locator('[data-ihf-annotate-launcher] button'));
    const pageBackground = await page.evaluate(
      () => getComputedStyle(document.body).backgroundColor,
    );
    expect(around.outlineStyle).toBe('solid');
    // The dark ring against the page, the white band against the launcher it surrounds.
    expect(contrast(around.outline, pageBackground)).toBeGreaterThanOrEqual(3);
    expect(contrast(around.band, around.background)).toBeGreaterThanOrEqual(3);
    expect(contrast(around.outline, 'rgb(255, 255, 255)')).toBeGreaterThanOrEqual(3);
    const box = (await page.locator('[data-ihf-annotate-launcher] button').boundingBox())!;
    await page.screenshot({
      path: join(ARTIFACTS, 'focus-ring-launcher.png'),
      clip: { x: box.x - 16, y: box.y - 16, width: box.width + 32, height: box.height + 32 },
    });

    await page.keyboard.press('Enter');
    await dialog().waitFor();
    const dialogBackground = await page
      .locator('[data-ihf-annotate] dialog')
      .evaluate((d) => getComputedStyle(d).backgroundColor);
    for (const name of ['Point at it', 'Send feedback']) {
      await dialog().getByRole('button', { name }).focus();
      const inside = await ring(dialog().getByRole('button', { name }));
      expect(inside.outlineStyle).toBe('solid');
      expect(contrast(inside.outline, dialogBackground)).toBeGreaterThanOrEqual(3);
    }
    await page.screenshot({ path: join(ARTIFACTS, 'focus-ring.png') });
  });

  it('keeps a visible edge around the dialog in forced-colours mode', async () => {
    await page.emulateMedia({ forcedColors: 'active' });
    await openFromLauncher();
    const edge = await dialog().evaluate((d) => {
      const style = getComputedStyle(d);
      return {
        width: parseFloat(style.borderTopWidth),
        style: style.borderTopStyle,
        color: style.borderTopColor,
        background: style.backgroundColor,
      };
    });
    expect(edge.style).toBe('solid');
    expect(edge.width).toBeGreaterThanOrEqual(2);
    expect(contrast(edge.color, edge.background)).toBeGreaterThanOrEqual(3);
    await page.screenshot({ path: join(ARTIFACTS, 'forced-colors.png') });
  });
});
