/** @jest-environment jsdom */
import { event, MemoryStorage, scriptedFetch } from './fakes.test-helper.js';
import { Reporter, type IhfError, type ReporterOptions } from './reporter.js';

function reporter(over: Partial<ReporterOptions> = {}) {
  const errors: IhfError[] = [];
  const r = new Reporter({
    endpoint: 'https://ingest.test/',
    apiKey: 'ihf_abc_secret',
    batchSize: 3,
    flushInterval: 1000,
    maxQueue: 10,
    retryBase: 1000,
    retryMax: 8000,
    storage: new MemoryStorage(),
    storageKey: 'q',
    onError: (e) => errors.push(e),
    random: () => 0.5,
    ...over,
  });
  return { r, errors };
}

function setOnline(online: boolean) {
  Object.defineProperty(navigator, 'onLine', { configurable: true, get: () => online });
}

beforeEach(() => {
  jest.useFakeTimers();
  setOnline(true);
});
afterEach(() => jest.useRealTimers());

describe('Reporter batching', () => {
  it('sends a full batch at once, with the bearer key, to the reporting endpoint', async () => {
    const api = scriptedFetch();
    const { r } = reporter({ fetch: api.fetch });
    r.enqueue(event(1));
    r.enqueue(event(2));
    expect(api.sent).toHaveLength(0);
    r.enqueue(event(3));
    await jest.advanceTimersByTimeAsync(0);
    expect(api.sent).toHaveLength(1);
    const [req] = api.sent;
    expect(req.url).toBe('https://ingest.test/api/v1/interaction-events');
    expect(req.init.method).toBe('POST');
    expect(req.headers.authorization).toBe('Bearer ihf_abc_secret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(req.body.events.map((e) => e.id)).toEqual([1, 2, 3].map((n) => event(n).id));
    expect(r.size).toBe(0);
    expect(r.stats).toMatchObject({ sent: 3, queued: 0 });
  });

  it('sends a partial batch after flushInterval, not before', async () => {
    const api = scriptedFetch();
    const { r } = reporter({ fetch: api.fetch });
    r.enqueue(event(1));
    await jest.advanceTimersByTimeAsync(999);
    expect(api.sent).toHaveLength(0);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.sent).toHaveLength(1);
    expect(api.sent[0].body.events).toHaveLength(1);
  });

  it('flush() drains everything in batches of batchSize', async () => {
    const api = scriptedFetch();
    const { r } = reporter({ fetch: api.fetch, batchSize: 4, maxQueue: 100 });
    for (let i = 0; i < 3; i++) r.enqueue(event(i));
    r.stop(); // no timers: only the explicit flush sends
    const { r: r2 } = reporter({ fetch: api.fetch, batchSize: 2, maxQueue: 100 });
    for (let i = 0; i < 5; i++) r2.enqueue(event(i));
    await r2.flush();
    expect(api.sent.map((s) => s.body.events.length)).toEqual([2, 2, 1]);
    expect(api.storedIds()).toHaveLength(5);
  });
});

describe('Reporter retry and back-off', () => {
  it('retries network errors and 5xx with growing, jittered delays', async () => {
    const api = scriptedFetch(['network-error', { status: 503 }, { status: 500 }]);
    const { r } = reporter({ fetch: api.fetch, batchSize: 1 });
    r.enqueue(event(1));
    await jest.advanceTimersByTimeAsync(0);
    expect(api.sent).toHaveLength(1);
    // attempt 0: cap 1000 → 500 + 0.5*500 = 750 ms
    await jest.advanceTimersByTimeAsync(749);
    expect(api.sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.sent).toHaveLength(2);
    // attempt 1: cap 2000 → 1500 ms
    await jest.advanceTimersByTimeAsync(1499);
    expect(api.sent).toHaveLength(2);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.sent).toHaveLength(3);
    // attempt 2: cap 4000 → 3000 ms, then the default 202
    await jest.advanceTimersByTimeAsync(3000);
    expect(api.sent).toHaveLength(4);
    expect(r.size).toBe(0);
    expect(new Set(api.sent.map((s) => s.body.events[0].id)).size).toBe(1);
    expect(api.storedIds()).toEqual([event(1).id]);
  });

  it('caps the back-off at retryMax', async () => {
    const api = scriptedFetch(Array.from({ length: 8 }, () => ({ status: 502 })));
    const { r } = reporter({ fetch: api.fetch, batchSize: 1, retryMax: 4000, random: () => 1 });
    r.enqueue(event(1));
    await jest.advanceTimersByTimeAsync(0);
    await jest.advanceTimersByTimeAsync(1000 + 2000 + 4000 + 4000); // 1, 2, 4, then capped 4 s
    expect(api.sent).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(3999);
    expect(api.sent).toHaveLength(5);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.sent).toHaveLength(6);
  });

  it('honours Retry-After on 429 (seconds) instead of its own back-off', async () => {
    const api = scriptedFetch([{ status: 429, headers: { 'Retry-After': '7' } }]);
    const { r } = reporter({ fetch: api.fetch, batchSize: 1 });
    r.enqueue(event(1));
    await jest.advanceTimersByTimeAsync(0);
    r.enqueue(event(2)); // a full batch does not jump the queue while the server said wait
    await r.flush();
    await jest.advanceTimersByTimeAsync(6999);
    expect(api.sent).toHaveLength(1);
    await jest.advanceTimersByTimeAsync(1);
    expect(api.sent).toHaveLength(3);
    expect(api.storedIds()).toEqual([event(1).id, event(2).id]);
  });

  it.each([400, 401, 403, 404, 422])(
    'never retries a %i; drops the batch and reports it',
    async (status) => {
      const api = scriptedFetch([{ status, body: { title: 'no' } }]);
      const { r, errors } = reporter({ fetch: api.fetch, batchSize: 1 });
      r.enqueue(event(1));
      await jest.advanceTimersByTimeAsync(120_000);
      expect(api.sent).toHaveLength(1);
      expect(r.size).toBe(0);
      expect(r.stats.failed).toBe(1);
      expect(errors).toEqual([expect.objectContaining({ code: 'request_refused', status })]);
    },
  );

  it('halves the batch after a 413 and sends the halves', async () => {
    const api = scriptedFetch([{ status: 413 }]);
    const { r } = reporter({ fetch: api.fetch, batchSize: 4, maxQueue: 100 });
    for (let i = 0; i < 4; i++) r.enqueue(event(i));
    await jest.advanceTimersByTimeAsync(0);
    await r.flush();
    expect(api.sent.map((s) => s.body.events.length)).toEqual([4, 2, 2]);
    expect(api.storedIds()).toHaveLength(4);
  });

  it('reports events the server rejected, and does not resend them', async () => {
    const api = scriptedFetch([
      {
        status: 202,
        body: {
          results: [
            { id: event(1).id, status: 'accepted' },
            { id: event(2).id, status: 'rejected', reason: 'unknown_widget' },
          ],
        },
      },
    ]);
    const { r, errors } = reporter({ fetch: api.fetch, batchSize: 2 });
    r.enqueue(event(1));
    r.enqueue(event(2));
    await jest.advanceTimersByTimeAsync(10_000);
    expect(api.sent).toHaveLength(1);
    expect(r.stats).toMatchObject({ sent: 1, rejected: 1, queued: 0 });
    expect(errors[0]).toMatchObject({ code: 'events_rejected' });
  });
});

describe('Reporter offline queue', () => {
  it('keeps at most maxQueue events, dropping the oldest and counting them', () => {
    const api = scriptedFetch();
    setOnline(false);
    const { r, errors } = reporter({ fetch: api.fetch, maxQueue: 5, batchSize: 100 });
    for (let i = 0; i < 8; i++) r.enqueue(event(i));
    expect(r.size).toBe(5);
    expect(r.stats.dropped).toBe(3);
    expect(errors.filter((e) => e.code === 'queue_overflow')).toHaveLength(3);
  });

  it('waits while offline and sends each event exactly once when back online', async () => {
    const api = scriptedFetch();
    setOnline(false);
    const { r } = reporter({ fetch: api.fetch, batchSize: 2 });
    for (let i = 0; i < 5; i++) r.enqueue(event(i));
    await jest.advanceTimersByTimeAsync(60_000);
    expect(api.sent).toHaveLength(0);
    setOnline(true);
    r.online();
    await r.flush();
    await jest.advanceTimersByTimeAsync(60_000);
    expect(api.storedIds()).toEqual([0, 1, 2, 3, 4].map((n) => event(n).id));
    expect(api.sent.flatMap((s) => s.body.events)).toHaveLength(5);
  });

  it('persists the queue; a later page adopts it once its page is gone', async () => {
    const storage = new MemoryStorage();
    setOnline(false);
    const first = reporter({ storage, fetch: scriptedFetch().fetch });
    first.r.enqueue(event(1));
    first.r.enqueue(event(2));
    first.r.stop(); // the page unloads with two events unsent
    expect(storage.length).toBe(1);

    setOnline(true);
    const api = scriptedFetch();
    // Without Web Locks a queue counts as orphaned when untouched for a minute.
    jest.setSystemTime(Date.now() + 61_000);
    const second = reporter({ storage, fetch: api.fetch });
    await jest.advanceTimersByTimeAsync(0);
    await second.r.flush();
    expect(api.storedIds()).toEqual([event(1).id, event(2).id]);
    expect(storage.length).toBe(0);
  });

  it('does not adopt the queue of a live page (fresh, or holding its Web Lock)', async () => {
    const storage = new MemoryStorage();
    setOnline(false);
    const live = reporter({ storage });
    live.r.enqueue(event(1));
    setOnline(true);
    const api = scriptedFetch();
    const other = reporter({ storage, fetch: api.fetch });
    await jest.advanceTimersByTimeAsync(0);
    await other.r.flush();
    expect(api.sent).toHaveLength(0);
    expect(live.r.size).toBe(1);
  });

  it('uses Web Locks when present: a released lock means the page is gone', async () => {
    const held = new Set<string>();
    const locks = {
      request: (name: string, cb: () => Promise<void>) => {
        held.add(name);
        return cb().finally(() => held.delete(name));
      },
      query: () => Promise.resolve({ held: [...held].map((name) => ({ name })), pending: [] }),
    };
    Object.defineProperty(navigator, 'locks', { configurable: true, value: locks });
    try {
      const storage = new MemoryStorage();
      setOnline(false);
      const gone = reporter({ storage });
      gone.r.enqueue(event(7));
      const alive = reporter({ storage });
      alive.r.enqueue(event(8));
      gone.r.stop(); // releases its lock at once: no minute to wait
      await jest.advanceTimersByTimeAsync(0);
      setOnline(true);
      const api = scriptedFetch();
      const next = reporter({ storage, fetch: api.fetch });
      await jest.advanceTimersByTimeAsync(0);
      await next.r.flush();
      expect(api.storedIds()).toEqual([event(7).id]);
    } finally {
      delete (navigator as { locks?: unknown }).locks;
    }
  });

  it('keeps working in memory when storage throws', async () => {
    const storage = new MemoryStorage();
    storage.failWrites = true;
    const api = scriptedFetch();
    const { r, errors } = reporter({ storage, fetch: api.fetch, batchSize: 1 });
    r.enqueue(event(1));
    await r.flush();
    expect(api.storedIds()).toEqual([event(1).id]);
    expect(errors[0]).toMatchObject({ code: 'storage_unavailable' });
  });

  it('clear() empties the queue and its storage', () => {
    const storage = new MemoryStorage();
    setOnline(false);
    const { r } = reporter({ storage });
    r.enqueue(event(1));
    r.clear();
    expect(r.size).toBe(0);
    expect(storage.length).toBe(0);
  });
});

describe('Reporter on page hide', () => {
  it('sends everything pending with keepalive, within the 64 KiB budget', async () => {
    const api = scriptedFetch();
    const { r } = reporter({ fetch: api.fetch, batchSize: 200, maxQueue: 1000 });
    const big = (n: number) => ({ ...event(n), metadata: { pad: 'x'.repeat(1000) } });
    for (let i = 0; i < 100; i++) r.enqueue(big(i));
    r.flushOnHide();
    const bodies = api.sent.map((s) => s.init.body as string);
    expect(api.sent.length).toBeGreaterThan(0);
    expect(api.sent.every((s) => s.init.keepalive === true)).toBe(true);
    expect(bodies.reduce((n, b) => n + b.length, 0)).toBeLessThanOrEqual(64 * 1024);
    const firstWave = api.sent.flatMap((s) => s.body.events).length;
    expect(firstWave).toBeLessThan(100);
    await jest.advanceTimersByTimeAsync(0);
    // The page lived on (visibilitychange, not unload): the rest goes out normally.
    await r.flush();
    expect(api.storedIds()).toHaveLength(100);
  });
});
