// Test doubles shared by the specs: a scripted fetch, an in-memory Storage, and an
// IntersectionObserver driven by hand. Not part of the package (excluded from the build).
import type { InteractionEvent } from './reporter.js';

export interface Sent {
  url: string;
  init: RequestInit;
  headers: Record<string, string>;
  body: { events: InteractionEvent[] } & Record<string, unknown>;
}

type Reply =
  | { status: number; headers?: Record<string, string>; body?: unknown }
  | 'network-error'
  | ((sent: Sent) => { status: number; headers?: Record<string, string>; body?: unknown });

/**
 * A fetch that records every request and answers from a script (then with `fallback`).
 * By default it plays a well-behaved ingestion service: 202 with one `accepted` result per
 * event, and `duplicate` for an id it has already stored.
 */
export function scriptedFetch(script: Reply[] = []) {
  const sent: Sent[] = [];
  const stored = new Map<string, InteractionEvent>();
  const fallback: Reply = (s) => ({
    status: 202,
    body: {
      results: (s.body.events ?? []).map((e) => {
        const duplicate = stored.has(e.id);
        stored.set(e.id, e);
        return { id: e.id, status: duplicate ? 'duplicate' : 'accepted' };
      }),
    },
  });
  const fetch = jest.fn((url: string | URL | Request, init?: RequestInit) => {
    const headers = Object.fromEntries(
      Object.entries((init?.headers ?? {}) as Record<string, string>).map(([k, v]) => [
        k.toLowerCase(),
        v,
      ]),
    );
    const entry: Sent = {
      url: typeof url === 'string' ? url : url instanceof URL ? url.href : url.url,
      init: init ?? {},
      headers,
      body: JSON.parse(typeof init?.body === 'string' ? init.body : '{}') as Sent['body'],
    };
    sent.push(entry);
    const reply = script.shift() ?? fallback;
    if (reply === 'network-error') return Promise.reject(new TypeError('Failed to fetch'));
    const r = typeof reply === 'function' ? reply(entry) : reply;
    const responseHeaders = new Map(
      Object.entries(r.headers ?? {}).map(([k, v]) => [k.toLowerCase(), v]),
    );
    return Promise.resolve({
      status: r.status,
      headers: { get: (name: string) => responseHeaders.get(name.toLowerCase()) ?? null },
      json: () =>
        r.body === undefined ? Promise.reject(new SyntaxError('empty')) : Promise.resolve(r.body),
    } as unknown as Response);
  });
  return {
    fetch: fetch as unknown as typeof globalThis.fetch,
    mock: fetch,
    sent,
    stored,
    /** Every event id the server stored, in order of first arrival. */
    storedIds: () => [...stored.keys()],
  };
}

/** A Storage in memory (jsdom's localStorage is shared between tests of a file). */
export class MemoryStorage implements Storage {
  private readonly map = new Map<string, string>();
  failWrites = false;
  get length() {
    return this.map.size;
  }
  clear() {
    this.map.clear();
  }
  getItem(key: string) {
    return this.map.get(key) ?? null;
  }
  key(index: number) {
    return [...this.map.keys()][index] ?? null;
  }
  removeItem(key: string) {
    this.map.delete(key);
  }
  setItem(key: string, value: string) {
    if (this.failWrites) throw new DOMException('quota exceeded', 'QuotaExceededError');
    this.map.set(key, value);
  }
  [name: string]: unknown;
}

/** An IntersectionObserver whose entries the test sends with `FakeIO.show(el, ratio)`. */
export class FakeIO {
  static instances: FakeIO[] = [];
  readonly observed = new Set<Element>();
  constructor(
    private readonly callback: IntersectionObserverCallback,
    readonly options?: IntersectionObserverInit,
  ) {
    FakeIO.instances.push(this);
  }
  observe(el: Element) {
    this.observed.add(el);
  }
  unobserve(el: Element) {
    this.observed.delete(el);
  }
  disconnect() {
    this.observed.clear();
  }
  takeRecords() {
    return [];
  }
  deliver(entries: IntersectionObserverEntry[]) {
    this.callback(entries, this as unknown as IntersectionObserver);
  }
  static show(el: Element, ratio: number) {
    for (const io of FakeIO.instances) {
      if (!io.observed.has(el)) continue;
      io.callback(
        [
          {
            target: el,
            isIntersecting: ratio > 0,
            intersectionRatio: ratio,
          } as unknown as IntersectionObserverEntry,
        ],
        io as unknown as IntersectionObserver,
      );
    }
  }
}

export const HUB = '11111111-1111-4111-8111-111111111111';
export const WIDGET = '22222222-2222-4222-8222-222222222222';
export const WIDGET_2 = '33333333-3333-4333-8333-333333333333';

export function event(n = 0, widget = WIDGET): InteractionEvent {
  return {
    id: `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`,
    widget_id: widget,
    hub_id: HUB,
    event_type: 'clicked',
    occurred_at: new Date(1_800_000_000_000 + n).toISOString(),
  };
}
