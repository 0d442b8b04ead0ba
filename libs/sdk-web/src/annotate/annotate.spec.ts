/** @jest-environment jsdom */
import { HUB, scriptedFetch, WIDGET, WIDGET_2 } from '../fakes.test-helper.js';
import { createAnnotator, type Annotator, type AnnotatorOptions } from './index.js';

let annotator: Annotator | undefined;
let api: ReturnType<typeof scriptedFetch>;

function make(over: Partial<AnnotatorOptions> = {}) {
  annotator = createAnnotator({
    endpoint: 'https://ingest.test',
    apiKey: 'ihf_k_s',
    fetch: api.fetch,
    ...over,
  });
  return annotator;
}
const ui = () => document.querySelector('[data-ihf-annotate]')?.shadowRoot ?? null;
const q = <T extends Element>(sel: string) => ui()!.querySelector<T>(sel)!;
const settle = () => jest.advanceTimersByTimeAsync(0);

beforeEach(() => {
  jest.useFakeTimers();
  api = scriptedFetch([{ status: 202, body: { id: 'x', status: 'accepted' } }]);
  document.body.innerHTML = `
    <button id="opener">Give feedback</button>
    <section id="w1" aria-label="Cart" data-widget-id="${WIDGET}" data-hub-id="${HUB}" data-view-context="shop/cart">
      <button id="in-w1">x</button>
    </section>
    <x-host id="host"></x-host>`;
  const shadow = document.getElementById('host')!.attachShadow({ mode: 'open' });
  shadow.innerHTML = `<div data-widget-id="${WIDGET_2}" data-hub-id="${HUB}" data-view-context="shop/pay"><h3>Payment</h3></div>`;
});
afterEach(() => {
  annotator?.destroy();
  jest.useRealTimers();
});

describe('annotation dialog: accessibility', () => {
  it('opens a labelled modal dialog, focuses its first field, labels every field', () => {
    document.getElementById('opener')!.focus();
    make().open(document.getElementById('w1'));
    const dialog = q<HTMLDialogElement>('dialog');
    // jsdom has no showModal(): the fallback makes the rest of the page inert instead.
    expect(dialog.open).toBe(true);
    expect(dialog.getAttribute('aria-modal')).toBe('true');
    expect(document.getElementById('opener')!.hasAttribute('inert')).toBe(true);
    expect(ui()!.getElementById(dialog.getAttribute('aria-labelledby')!)!.textContent).toBe(
      'Leave feedback',
    );
    expect(ui()!.getElementById(dialog.getAttribute('aria-describedby')!)!.textContent).toContain(
      'Cart (shop/cart)',
    );
    expect(ui()!.activeElement?.id).toBe('ihf-category');
    for (const field of Array.from(ui()!.querySelectorAll('select,textarea'))) {
      const label = ui()!.querySelector(`label[for="${field.id}"]`);
      expect(label?.textContent).toBeTruthy();
    }
    expect(q('[role=alert]')).toBeTruthy();
    expect(q('[role=status]').getAttribute('aria-live')).toBe('polite');
    expect(q('button.x').getAttribute('aria-label')).toBe('Close');
  });

  it('closes on Escape and gives focus back to the opener', () => {
    const opener = document.getElementById('opener')!;
    opener.focus();
    make().open(document.getElementById('w1'));
    q('dialog').dispatchEvent(new KeyboardEvent('keydown', { key: 'Escape', bubbles: true }));
    expect(ui()).toBeNull();
    expect(document.activeElement).toBe(opener);
  });

  it('keeps Tab inside the dialog', () => {
    make().open(document.getElementById('w1'));
    const dialog = q<HTMLDialogElement>('dialog');
    const send = q<HTMLButtonElement>('button[type=submit]');
    send.focus();
    const tab = new KeyboardEvent('keydown', { key: 'Tab', bubbles: true, cancelable: true });
    dialog.dispatchEvent(tab);
    expect(tab.defaultPrevented).toBe(true);
    expect(ui()!.activeElement).toBe(q('button.x'));
    const back = new KeyboardEvent('keydown', {
      key: 'Tab',
      shiftKey: true,
      bubbles: true,
      cancelable: true,
    });
    dialog.dispatchEvent(back);
    expect(ui()!.activeElement).toBe(send);
  });

  it('without a target, offers the widgets of the page (shadow DOM included)', () => {
    document.getElementById('in-w1')!.dispatchEvent(new Event('pointerdown', { bubbles: true }));
    make().open();
    const options = Array.from(q<HTMLSelectElement>('#ihf-widget').options).map((o) => [
      o.textContent,
      o.selected,
    ]);
    expect(options).toEqual([
      ['Cart (shop/cart)', true],
      ['Payment (shop/pay)', false],
    ]);
    expect(ui()!.activeElement?.id).toBe('ihf-widget');
  });

  it('gives the page back on close: nothing of it stays inert', () => {
    const opener = document.getElementById('opener')!;
    opener.setAttribute('inert', ''); // the page's own choice, which is not ours to undo
    const w1 = document.getElementById('w1')!;
    make().open(w1);
    expect(w1.hasAttribute('inert')).toBe(true);
    annotator!.close();
    expect(w1.hasAttribute('inert')).toBe(false);
    expect(document.getElementById('host')!.hasAttribute('inert')).toBe(false);
    expect(opener.hasAttribute('inert')).toBe(true);
  });

  it('opened for a widget, preselects it in the list and says so', () => {
    make().open(document.getElementById('w1'));
    expect(q<HTMLSelectElement>('#ihf-widget').selectedOptions[0].textContent).toBe(
      'Cart (shop/cart)',
    );
    expect(q('#ihf-desc').textContent).toBe('About: Cart (shop/cart).');
  });

  it('mounts a button inside a widget that opens the dialog about that widget', () => {
    const w1 = document.getElementById('w1')!;
    const button = make().mountWidgetButton(w1)!;
    const mounted = w1.querySelector('[data-ihf-annotate-widget]');
    expect(mounted?.shadowRoot?.querySelector('button')).toBe(button);
    expect(button.getAttribute('aria-label')).toBe('Feedback on Cart (shop/cart)');
    expect(button.getAttribute('aria-keyshortcuts')).toBe('Alt+Shift+F');
    button.click();
    expect(q('#ihf-desc').textContent).toBe('About: Cart (shop/cart).');
    annotator!.destroy();
    expect(w1.querySelector('[data-ihf-annotate-widget]')).toBeNull();
  });

  it('opens about the focused widget on Alt+Shift+F, and not when the shortcut is off', () => {
    const inside = document.getElementById('in-w1')!;
    make(); // the shortcut listens from now on
    inside.focus();
    const press = () =>
      inside.dispatchEvent(
        new KeyboardEvent('keydown', {
          code: 'KeyF',
          key: 'F',
          altKey: true,
          shiftKey: true,
          bubbles: true,
          cancelable: true,
        }),
      );
    press();
    expect(q('#ihf-desc').textContent).toBe('About: Cart (shop/cart).');
    annotator!.destroy();
    make({ shortcut: false });
    inside.focus();
    press();
    expect(ui()).toBeNull();
  });

  it('mounts a launcher that opens the dialog', () => {
    const button = make().mountLauncher('Feedback')!;
    expect(button.getAttribute('aria-haspopup')).toBe('dialog');
    button.click();
    expect(q('dialog')).toBeTruthy();
  });
});

describe('annotation dialog: sending', () => {
  function fill(text: string, category = 'bug', severity = 'high') {
    q<HTMLSelectElement>('#ihf-category').value = category;
    q<HTMLSelectElement>('#ihf-severity').value = severity;
    q<HTMLTextAreaElement>('#ihf-body').value = text;
    q<HTMLFormElement>('form').dispatchEvent(new Event('submit', { cancelable: true }));
  }

  it('refuses an empty text, says why, and sends nothing', async () => {
    make().open(document.getElementById('w1'));
    fill('   ');
    await settle();
    expect(q('#ihf-body').getAttribute('aria-invalid')).toBe('true');
    expect(q('[role=alert]').textContent).toMatch(/describe your feedback/);
    expect(ui()!.activeElement?.id).toBe('ihf-body');
    expect(api.sent).toHaveLength(0);
  });

  it('clears the error and aria-invalid once the text is valid', async () => {
    make().open(document.getElementById('w1'));
    fill('   ');
    await settle();
    const body = q<HTMLTextAreaElement>('#ihf-body');
    body.value = '   '; // still blank: the error stays
    body.dispatchEvent(new Event('input', { bubbles: true }));
    expect(body.getAttribute('aria-invalid')).toBe('true');
    body.value = 'The total';
    body.dispatchEvent(new Event('input', { bubbles: true }));
    expect(body.hasAttribute('aria-invalid')).toBe(false);
    expect(q('[role=alert]').textContent).toBe('');
  });

  it('announces the thank-you in the status region that was there, empty, from the start', async () => {
    make().open(document.getElementById('w1'));
    const status = q('[role=status]');
    expect(status.textContent).toBe('');
    fill('The total does not update');
    await settle();
    expect(status.isConnected).toBe(true);
    expect(ui()!.querySelectorAll('[role=status]')).toHaveLength(1);
    expect(status.textContent).toBe('Thank you! Your feedback was sent.');
  });

  it('on the confirmation, describes that state and names its buttons apart', async () => {
    make().open(document.getElementById('w1'));
    fill('The total does not update');
    await settle();
    const dialog = q('dialog');
    const describedBy = ui()!.getElementById(dialog.getAttribute('aria-describedby')!)!;
    expect(describedBy.textContent).toBe(
      'Your feedback about Cart (shop/cart) was sent. You can go back to the page.',
    );
    const names = Array.from(dialog.querySelectorAll('button')).map(
      (b) => b.getAttribute('aria-label') ?? b.textContent,
    );
    expect(names).toEqual(['Close', 'Back to the page']);
  });

  it('posts the annotation with the hub key and confirms it', async () => {
    const onSubmitted = jest.fn();
    make({
      onSubmitted,
      actor: { id: '44444444-4444-4444-8444-444444444444', type: 'user' },
      widgetStateRef: () => 'route:/cart?step=2',
    }).open(document.getElementById('w1'));
    fill('  The total does not update  ');
    await settle();
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0].url).toBe('https://ingest.test/api/v1/annotations');
    expect(api.sent[0].headers.authorization).toBe('Bearer ihf_k_s');
    expect(api.sent[0].body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      widget_id: WIDGET,
      hub_id: HUB,
      body: 'The total does not update',
      category: 'bug',
      severity: 'high',
      actor_id: '44444444-4444-4444-8444-444444444444',
      actor_type: 'user',
      widget_state_ref: 'route:/cart?step=2',
    });
    expect(onSubmitted).toHaveBeenCalledTimes(1);
    expect(ui()!.textContent).toContain('Thank you! Your feedback was sent.');
    expect(ui()!.activeElement?.textContent).toBe('Back to the page');
  });

  it('retries 503s, and a second press after a failure reuses the same id', async () => {
    api = scriptedFetch([
      { status: 503, headers: { 'retry-after': '1' } },
      'network-error',
      'network-error',
      { status: 202, body: {} },
    ]);
    make({ attempts: 3 }).open(document.getElementById('w1'));
    fill('slow');
    await jest.advanceTimersByTimeAsync(20_000);
    expect(api.sent).toHaveLength(3);
    expect(q('[role=alert]').textContent).toMatch(/could not be sent.*network.*text is kept/);
    expect(q<HTMLTextAreaElement>('#ihf-body').value).toBe('slow');
    fill('slow');
    await settle();
    expect(api.sent).toHaveLength(4);
    expect(new Set(api.sent.map((s) => s.body.id)).size).toBe(1);
    expect(ui()!.textContent).toContain('Thank you!');
  });

  it('shows the reason of a 4xx and does not retry it', async () => {
    api = scriptedFetch([{ status: 422, body: { detail: 'widget is retired' } }]);
    make().open(document.getElementById('w1'));
    fill('x');
    await jest.advanceTimersByTimeAsync(20_000);
    expect(api.sent).toHaveLength(1);
    expect(q('[role=alert]').textContent).toContain('widget is retired');
  });
});

describe('annotation dialog: "me too" on known issues', () => {
  const REPORTER = '44444444-4444-4444-8444-444444444444';
  const ISSUE = '55555555-5555-4555-8555-555555555555';
  const knownIssues = (widget: Element) =>
    widget.id === 'w1' ? [{ candidate_id: ISSUE, title: 'Total does not update' }] : [];

  it('lists the known issues of the chosen widget, each with a labelled "Me too" button', () => {
    make({ actor: { id: REPORTER }, knownIssues }).open(document.getElementById('w1'));
    const known = q<HTMLFieldSetElement>('#ihf-known');
    expect(known.hidden).toBe(false);
    expect(known.querySelector('legend')?.textContent).toContain('me too');
    expect(known.querySelector('button')?.getAttribute('aria-label')).toBe(
      'Me too: Total does not update',
    );
    // Another widget without known issues: the group goes.
    const select = q<HTMLSelectElement>('#ihf-widget');
    select.value = '1';
    select.dispatchEvent(new Event('change'));
    expect(q<HTMLFieldSetElement>('#ihf-known').hidden).toBe(true);
  });

  it('shows no "Me too" without an actor id (it counts once per reporter)', () => {
    make({ knownIssues }).open(document.getElementById('w1'));
    expect(q<HTMLFieldSetElement>('#ihf-known').hidden).toBe(true);
  });

  it('posts the "me too" with the hub key, confirms it, and a retry reuses its id', async () => {
    api = scriptedFetch([{ status: 503 }, { status: 503 }, { status: 202, body: {} }]);
    make({ actor: { id: REPORTER }, knownIssues, attempts: 2 }).open(document.getElementById('w1'));
    const button = () => q<HTMLButtonElement>('#ihf-known button');
    button().click();
    await jest.advanceTimersByTimeAsync(20_000);
    expect(api.sent).toHaveLength(2);
    expect(q('[role=alert]').textContent).toContain('"me too" could not be sent');
    expect(button().getAttribute('aria-disabled')).toBeNull();
    button().click();
    await settle();
    expect(api.sent).toHaveLength(3);
    expect(api.sent[2].url).toBe('https://ingest.test/api/v1/me-too');
    expect(api.sent[2].headers.authorization).toBe('Bearer ihf_k_s');
    expect(api.sent[2].body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/) as string,
      hub_id: HUB,
      candidate_id: ISSUE,
      reporter_id: REPORTER,
      widget_id: WIDGET,
    });
    expect(new Set(api.sent.map((s) => s.body.id)).size).toBe(1);
    expect(button().textContent).toBe('Counted');
    expect(button().getAttribute('aria-disabled')).toBe('true');
    // Pressed again once counted: nothing more is sent.
    button().click();
    await settle();
    expect(api.sent).toHaveLength(3);
    expect(q('[role=status]').textContent).toContain(
      'You were counted for "Total does not update"',
    );
  });

  it('meToo() without the UI: needs an actor id and a hub, and reports a 4xx', async () => {
    expect(await make().meToo({ candidateId: ISSUE, hubId: HUB })).toMatchObject({ ok: false });
    annotator?.destroy();
    expect(await make({ actor: { id: REPORTER } }).meToo({ candidateId: ISSUE })).toMatchObject({
      ok: false,
      message: expect.stringContaining('hubId') as string,
    });
    expect(api.sent).toHaveLength(0);
    api = scriptedFetch([{ status: 422, body: { detail: 'hub_id is not the key hub' } }]);
    annotator?.destroy();
    const refused = await make({ actor: { id: REPORTER } }).meToo({
      candidateId: ISSUE,
      hubId: HUB,
    });
    expect(refused).toEqual({ ok: false, status: 422, message: 'hub_id is not the key hub' });
    expect(api.sent[0].body).toMatchObject({
      hub_id: HUB,
      candidate_id: ISSUE,
      reporter_id: REPORTER,
    });
    expect(api.sent[0].body).not.toHaveProperty('widget_id');
  });
});
