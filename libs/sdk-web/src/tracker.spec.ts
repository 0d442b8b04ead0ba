/** @jest-environment jsdom */
import {
  FakeIO,
  HUB,
  MemoryStorage,
  scriptedFetch,
  WIDGET,
  WIDGET_2,
} from './fakes.test-helper.js';
import type { IhfError } from './reporter.js';
import { createTracker, type Tracker, type TrackerOptions } from './tracker.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
let api: ReturnType<typeof scriptedFetch>;
let tracker: Tracker | undefined;
let errors: IhfError[];

function start(over: Partial<TrackerOptions> = {}): Tracker {
  errors = [];
  tracker = createTracker({
    endpoint: 'https://ingest.test',
    apiKey: 'ihf_k_s',
    batchSize: 1,
    storage: new MemoryStorage(),
    fetch: api.fetch,
    onError: (e) => errors.push(e),
    ...over,
  });
  return tracker;
}

const sentEvents = () => api.sent.flatMap((s) => s.body.events);
const settle = () => jest.advanceTimersByTimeAsync(0);

function widgetHtml(id = WIDGET, inner = '<button id="b">Buy</button>') {
  return `<section data-widget-id="${id}" data-hub-id="${HUB}" data-view-context="shop/cart">${inner}</section>`;
}

beforeAll(() => {
  (globalThis as { IntersectionObserver?: unknown }).IntersectionObserver = FakeIO;
});
beforeEach(() => {
  jest.useFakeTimers();
  api = scriptedFetch();
  FakeIO.instances = [];
  document.body.innerHTML = '';
});
afterEach(() => {
  tracker?.destroy();
  tracker = undefined;
  jest.useRealTimers();
  jest.restoreAllMocks();
});

describe('tracker: clicks', () => {
  it('reports a click inside a widget with its envelope', async () => {
    document.body.innerHTML =
      widgetHtml(WIDGET, '<button id="b">Buy</button>') + '<p id="out">x</p>';
    start();
    document.getElementById('out')!.click(); // outside any widget: nothing
    document.getElementById('b')!.click();
    await settle();
    expect(sentEvents()).toEqual([
      {
        id: expect.stringMatching(UUID) as string,
        widget_id: WIDGET,
        hub_id: HUB,
        view_context_ref: 'shop/cart',
        event_type: 'clicked',
        occurred_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT.*Z$/) as string,
        metadata: { target: 'button' },
      },
    ]);
  });

  it('attributes a click to the innermost widget', async () => {
    document.body.innerHTML = widgetHtml(WIDGET, widgetHtml(WIDGET_2, '<a id="in">in</a>'));
    start();
    document.getElementById('in')!.click();
    await settle();
    expect(sentEvents().map((e) => e.widget_id)).toEqual([WIDGET_2]);
  });

  it('sees clicks inside shadow DOM, both around and inside a widget', async () => {
    document.body.innerHTML = widgetHtml(WIDGET, '<x-card id="card"></x-card>');
    const card = document.getElementById('card')!;
    const shadow = card.attachShadow({ mode: 'open' });
    shadow.innerHTML = `<button id="deep">deep</button>${widgetHtml(WIDGET_2, '<i id="inner">i</i>')}`;
    start();
    shadow.getElementById('deep')!.click();
    shadow.getElementById('inner')!.click();
    await settle();
    expect(sentEvents().map((e) => e.widget_id)).toEqual([WIDGET, WIDGET_2]);
  });

  it("does not count the SDK's own buttons inside a widget (data-ihf-ui) as its clicks", async () => {
    document.body.innerHTML = widgetHtml(
      WIDGET,
      '<button id="b">Buy</button><span data-ihf-ui><em id="sdk">Feedback</em></span>',
    );
    start();
    document.getElementById('sdk')!.click();
    document.getElementById('b')!.click();
    await settle();
    expect(sentEvents().map((e) => e.metadata)).toEqual([{ target: 'button' }]);
    expect(sentEvents()).toHaveLength(1);
  });

  it('carries the actor the host set', async () => {
    document.body.innerHTML = widgetHtml();
    const t = start({ actor: { type: 'anonymous' } });
    t.setActor({ id: '44444444-4444-4444-8444-444444444444', type: 'user' });
    document.getElementById('b')!.click();
    await settle();
    expect(sentEvents()[0]).toMatchObject({
      actor_id: '44444444-4444-4444-8444-444444444444',
      actor_type: 'user',
    });
  });
});

describe('tracker: submits and changes', () => {
  it('reports submits in the light DOM and inside shadow roots, once each', async () => {
    document.body.innerHTML = widgetHtml(WIDGET, '<form id="f"></form><x-form id="xf"></x-form>');
    const shadow = document.getElementById('xf')!.attachShadow({ mode: 'open' });
    shadow.innerHTML = '<form id="sf"><input name="q"></form>';
    start();
    const submit = () => new Event('submit', { bubbles: true, cancelable: true });
    document.getElementById('f')!.dispatchEvent(submit());
    shadow.getElementById('sf')!.dispatchEvent(submit());
    await settle();
    expect(sentEvents().map((e) => [e.event_type, e.widget_id])).toEqual([
      ['submitted', WIDGET],
      ['submitted', WIDGET],
    ]);
  });

  it('finds shadow roots added later and listens inside them', async () => {
    start();
    const host = document.createElement('x-late');
    const shadow = host.attachShadow({ mode: 'open' });
    shadow.innerHTML = widgetHtml(WIDGET_2, '<form id="late"></form>');
    document.body.append(host);
    await settle(); // MutationObserver
    shadow.getElementById('late')!.dispatchEvent(new Event('submit', { bubbles: true }));
    await settle();
    expect(sentEvents().map((e) => [e.event_type, e.widget_id])).toEqual([['submitted', WIDGET_2]]);
    expect(FakeIO.instances[0].observed.has(shadow.querySelector('section')!)).toBe(true);
  });

  it('captures changes when asked, with the field name and never its value', async () => {
    document.body.innerHTML = widgetHtml(WIDGET, '<input id="i" name="email">');
    start({ capture: ['changed'] });
    const input = document.getElementById('i') as HTMLInputElement;
    input.value = 'secret@example.com';
    input.dispatchEvent(new Event('change', { bubbles: true }));
    input.click(); // clicks not asked for
    await settle();
    expect(sentEvents()).toEqual([
      expect.objectContaining({
        event_type: 'changed',
        metadata: { target: 'input', field: 'email' },
      }),
    ]);
    expect(JSON.stringify(api.sent)).not.toContain('secret@example.com');
  });
});

describe('tracker: views', () => {
  it('reports a view once the threshold share stays visible for the duration, once', async () => {
    document.body.innerHTML = widgetHtml();
    start({ viewThreshold: 0.5, viewDuration: 1000 });
    const el = document.querySelector('section')!;
    expect(FakeIO.instances[0].options?.threshold).toEqual([0, 0.25, 0.5, 0.75, 1]);
    FakeIO.show(el, 0.3);
    await jest.advanceTimersByTimeAsync(2000);
    expect(sentEvents()).toHaveLength(0);
    FakeIO.show(el, 0.6);
    await jest.advanceTimersByTimeAsync(600);
    FakeIO.show(el, 0.1); // scrolled away before the duration: no view
    await jest.advanceTimersByTimeAsync(2000);
    expect(sentEvents()).toHaveLength(0);
    FakeIO.show(el, 1);
    await jest.advanceTimersByTimeAsync(999);
    expect(sentEvents()).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(sentEvents().map((e) => e.event_type)).toEqual(['viewed']);
    FakeIO.show(el, 0);
    FakeIO.show(el, 1);
    await jest.advanceTimersByTimeAsync(5000);
    expect(sentEvents()).toHaveLength(1);
  });

  it('counts an element taller than the viewport once it fills the share of the viewport', async () => {
    document.body.innerHTML = widgetHtml();
    start({ viewThreshold: 0.5, viewDuration: 100 });
    const el = document.querySelector('section')!;
    const io = FakeIO.instances[0];
    const entry = (visibleHeight: number) =>
      ({
        target: el,
        isIntersecting: true,
        intersectionRatio: visibleHeight / 3000,
        intersectionRect: { height: visibleHeight },
        rootBounds: { height: 800 },
      }) as unknown as IntersectionObserverEntry;
    io.deliver([entry(300)]);
    await jest.advanceTimersByTimeAsync(500);
    expect(sentEvents()).toHaveLength(0);
    io.deliver([entry(800)]);
    await jest.advanceTimersByTimeAsync(100);
    expect(sentEvents().map((e) => e.event_type)).toEqual(['viewed']);
  });

  it('sends only the identity fields of an explicit track() target', async () => {
    const t = start();
    t.track(
      { widget_id: WIDGET, hub_id: HUB, extra: 'x' } as unknown as Parameters<Tracker['track']>[0],
      'dismissed',
    );
    await settle();
    expect(Object.keys(sentEvents()[0]).sort()).toEqual([
      'event_type',
      'hub_id',
      'id',
      'occurred_at',
      'widget_id',
    ]);
  });

  it('does not count time while the page is hidden', async () => {
    document.body.innerHTML = widgetHtml();
    start({ viewDuration: 1000 });
    const el = document.querySelector('section')!;
    FakeIO.show(el, 1);
    await jest.advanceTimersByTimeAsync(500);
    const state = jest.spyOn(document, 'visibilityState', 'get').mockReturnValue('hidden');
    document.dispatchEvent(new Event('visibilitychange'));
    await jest.advanceTimersByTimeAsync(5000);
    expect(sentEvents()).toHaveLength(0);
    state.mockReturnValue('visible');
    document.dispatchEvent(new Event('visibilitychange'));
    await jest.advanceTimersByTimeAsync(1000);
    expect(sentEvents().map((e) => e.event_type)).toEqual(['viewed']);
  });
});

describe('tracker: batching through the page', () => {
  it('batches clicks by size and time, and flushes on pagehide with keepalive', async () => {
    document.body.innerHTML = widgetHtml();
    start({ batchSize: 3, flushInterval: 2000 });
    const b = document.getElementById('b')!;
    for (let i = 0; i < 4; i++) b.click();
    await settle();
    expect(api.sent.map((s) => s.body.events.length)).toEqual([3]);
    b.click();
    window.dispatchEvent(new Event('pagehide'));
    expect(api.sent.map((s) => [s.body.events.length, s.init.keepalive])).toEqual([
      [3, false],
      [2, true],
    ]);
    await jest.advanceTimersByTimeAsync(5000);
    expect(api.storedIds()).toHaveLength(5);
  });
});

describe('tracker: consent and do-not-track', () => {
  it('captures nothing without consent, and discards the queue when consent is withdrawn', async () => {
    document.body.innerHTML = widgetHtml();
    const storage = new MemoryStorage();
    const t = start({ consent: false, storage, batchSize: 10 });
    const b = document.getElementById('b')!;
    b.click();
    t.track({ widget_id: WIDGET, hub_id: HUB }, 'dismissed');
    t.setConsent(true);
    b.click();
    expect(storage.length).toBe(1);
    t.setConsent(false);
    expect(storage.length).toBe(0);
    b.click();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(api.sent).toHaveLength(0);
    expect(t.stats().queued).toBe(0);
  });

  it('honours Do-Not-Track and Global Privacy Control unless told otherwise', async () => {
    document.body.innerHTML = widgetHtml();
    for (const [property, value] of [
      ['doNotTrack', '1'],
      ['globalPrivacyControl', true],
    ] as const) {
      Object.defineProperty(navigator, property, { configurable: true, get: () => value });
      start();
      document.getElementById('b')!.click();
      await settle();
      expect(api.sent).toHaveLength(0);
      tracker!.destroy();
      delete (navigator as unknown as Record<string, unknown>)[property];
    }
    Object.defineProperty(navigator, 'doNotTrack', { configurable: true, get: () => '1' });
    start({ respectDoNotTrack: false });
    document.getElementById('b')!.click();
    await settle();
    expect(sentEvents()).toHaveLength(1);
    delete (navigator as unknown as Record<string, unknown>).doNotTrack;
  });
});

describe('tracker: development mode', () => {
  it('warns once per broken widget element and sends nothing for it', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    document.body.innerHTML =
      `<div id="bad" data-widget-id="not-a-uuid" data-view-context="x"><button id="bb">b</button></div>` +
      widgetHtml();
    start({ dev: true });
    document.getElementById('bb')!.click();
    document.getElementById('bb')!.click();
    await settle();
    expect(api.sent).toHaveLength(0);
    const messages = warn.mock.calls.map((c) => String(c[1]));
    expect(messages).toHaveLength(1);
    expect(messages[0]).toContain('data-hub-id is required');
    expect(messages[0]).toContain('data-widget-id must be a uuid');
    // A widget broken later (attribute mutation) is warned about too.
    document.querySelector('section')!.setAttribute('data-hub-id', 'oops');
    await settle();
    expect(warn.mock.calls.map((c) => String(c[1]))[1]).toContain('data-hub-id must be a uuid');
  });

  it('stays silent without dev mode', async () => {
    const warn = jest.spyOn(console, 'warn').mockImplementation(() => undefined);
    document.body.innerHTML = '<div data-widget-id="x"></div>';
    start();
    await settle();
    expect(warn).not.toHaveBeenCalled();
  });
});

describe('tracker: never throws into the host page', () => {
  it('survives a fetch that throws, an onError that throws, storage that throws, bad input', async () => {
    document.body.innerHTML = widgetHtml();
    const storage = new MemoryStorage();
    storage.failWrites = true;
    const fetch = (() => {
      throw new Error('fetch exploded');
    }) as unknown as typeof globalThis.fetch;
    const t = createTracker({
      endpoint: 'https://ingest.test',
      apiKey: 'k',
      batchSize: 1,
      storage,
      fetch,
      onError: () => {
        throw new Error('host callback exploded');
      },
    });
    tracker = t;
    expect(() => document.getElementById('b')!.click()).not.toThrow();
    const hostile = new Proxy({} as Element, {
      get() {
        throw new Error('hostile');
      },
    });
    expect(() => t.track(hostile, 'clicked')).not.toThrow();
    expect(() => t.track(null as unknown as Element, 'clicked')).not.toThrow();
    expect(() => t.observe(null as unknown as Element)).not.toThrow();
    await expect(t.flush()).resolves.toBeUndefined();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(() => t.setConsent(false)).not.toThrow();
    t.destroy();
    expect(() => t.destroy()).not.toThrow();
  });

  it('reports errors of its own listeners instead of throwing them', async () => {
    document.body.innerHTML = widgetHtml();
    start();
    const click = new MouseEvent('click', { bubbles: true, composed: true });
    Object.defineProperty(click, 'composedPath', {
      value: () => {
        throw new Error('weird event');
      },
    });
    const pageErrors: unknown[] = [];
    window.addEventListener('error', (e) => pageErrors.push(e.error));
    document.getElementById('b')!.dispatchEvent(click);
    await settle();
    expect(pageErrors).toEqual([]);
    expect(errors).toEqual([expect.objectContaining({ code: 'internal' })]);
  });

  it('stops capturing after destroy', async () => {
    document.body.innerHTML = widgetHtml();
    start().destroy();
    document.getElementById('b')!.click();
    await jest.advanceTimersByTimeAsync(10_000);
    expect(api.sent).toHaveLength(0);
  });
});
