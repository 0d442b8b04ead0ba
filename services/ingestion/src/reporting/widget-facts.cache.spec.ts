import { type IngestionConfig } from '../config/ingestion.config.js';
import { type WidgetFacts, WidgetFactsCache } from './widget-facts.cache.js';

const facts = (id: string, version = 1): WidgetFacts => ({
  id,
  hub_id: 'h',
  status: 'active',
  version,
});

function cache(ttl = 60_000): WidgetFactsCache {
  return new WidgetFactsCache({ INGESTION_WIDGET_CACHE_TTL_MS: ttl } as IngestionConfig);
}

describe('WidgetFactsCache', () => {
  it('loads only what it does not hold, and never remembers unknown ids', async () => {
    const c = cache();
    const loads: string[][] = [];
    const load = (ids: string[]) => {
      loads.push(ids);
      return Promise.resolve(ids.filter((id) => id !== 'unknown').map((id) => facts(id)));
    };
    expect([...(await c.get(new Set(['a', 'unknown']), load)).keys()]).toEqual(['a']);
    expect([...(await c.get(new Set(['a', 'b', 'unknown']), load)).keys()].sort()).toEqual([
      'a',
      'b',
    ]);
    expect(loads).toEqual([
      ['a', 'unknown'],
      ['b', 'unknown'],
    ]);
  });

  it('reloads after forget, and after the TTL', async () => {
    const c = cache(20);
    let version = 1;
    const load = (ids: string[]) => Promise.resolve(ids.map((id) => facts(id, version)));
    await c.get(new Set(['a']), load);
    version = 2;
    expect((await c.get(new Set(['a']), load)).get('a')?.version).toBe(1);
    c.forget('a');
    expect((await c.get(new Set(['a']), load)).get('a')?.version).toBe(2);
    version = 3;
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect((await c.get(new Set(['a']), load)).get('a')?.version).toBe(3);
  });

  it('does not keep what a load read before a change it overlapped', async () => {
    const c = cache();
    let release!: () => void;
    const slow = (ids: string[]) =>
      new Promise<WidgetFacts[]>((resolve) => {
        release = () => resolve(ids.map((id) => facts(id, 1)));
      });
    const pending = c.get(new Set(['a']), slow);
    await new Promise(setImmediate); // the load starts at the end of this turn
    c.forget('a'); // the widget changed (and committed) while the old row was being read
    release();
    expect((await pending).get('a')?.version).toBe(1);
    const fresh = await c.get(new Set(['a']), (ids) =>
      Promise.resolve(ids.map((id) => facts(id, 2))),
    );
    expect(fresh.get('a')?.version).toBe(2);
  });

  it('loads what concurrent calls miss in one query, each call getting its own', async () => {
    const c = cache();
    const loads: string[][] = [];
    const load = (ids: string[]) => {
      loads.push([...ids].sort());
      return Promise.resolve(ids.filter((id) => id !== 'unknown').map((id) => facts(id)));
    };
    await c.get(new Set(['held']), load);
    const [first, second, third] = await Promise.all([
      c.get(new Set(['a', 'held']), load),
      c.get(new Set(['b', 'unknown']), load),
      c.get(new Set(['a']), load),
    ]);
    expect(loads).toEqual([['held'], ['a', 'b', 'unknown']]);
    expect([...first.keys()].sort()).toEqual(['a', 'held']);
    expect([...second.keys()]).toEqual(['b']);
    expect([...third.keys()]).toEqual(['a']);
    // The next turn's misses are a new query.
    await c.get(new Set(['c']), load);
    expect(loads).toHaveLength(3);
  });

  it('fails every call of a load that failed, and loads again afterwards', async () => {
    const c = cache();
    const failing = () => Promise.reject(new Error('postgres unreachable'));
    const calls = [c.get(new Set(['a']), failing), c.get(new Set(['b']), failing)];
    await expect(calls[0]).rejects.toThrow('postgres unreachable');
    await expect(calls[1]).rejects.toThrow('postgres unreachable');
    const loaded = await c.get(new Set(['a']), (ids) =>
      Promise.resolve(ids.map((id) => facts(id))),
    );
    expect(loaded.get('a')?.id).toBe('a');
  });

  it('reloads widgets in use in the background before they expire, so no request waits', async () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const c = cache(1_000); // entries live 750-1,000 ms, due for a refresh after half of that
      let version = 1;
      const loads: string[][] = [];
      const load = (ids: string[]) => {
        loads.push([...ids].sort());
        return Promise.resolve(ids.map((id) => facts(id, version)));
      };
      const get = async (...ids: string[]) => {
        const pending = c.get(new Set(ids), load);
        await jest.advanceTimersByTimeAsync(0); // a miss is loaded at the end of the turn
        return pending;
      };
      await get('a', 'b', 'idle');
      version = 2;
      await jest.advanceTimersByTimeAsync(520);
      // Past half of their life: answered from the cache, refreshed in one query shortly after.
      expect((await get('a')).get('a')?.version).toBe(1);
      expect((await get('b')).get('b')?.version).toBe(1);
      expect(loads).toHaveLength(1);
      await jest.advanceTimersByTimeAsync(100);
      expect(loads).toEqual([
        ['a', 'b', 'idle'],
        ['a', 'b'],
      ]);
      await jest.advanceTimersByTimeAsync(400); // every entry of the first load has expired
      expect((await get('a', 'b')).get('a')?.version).toBe(2);
      expect(loads).toHaveLength(2);
      // The widget nobody used expired and is loaded again, on the request.
      await get('idle');
      expect(loads).toEqual([['a', 'b', 'idle'], ['a', 'b'], ['idle']]);
    } finally {
      jest.useRealTimers();
    }
  });

  it('caches nothing with a TTL of 0', async () => {
    const c = cache(0);
    let loads = 0;
    const load = (ids: string[]) => {
      loads++;
      return Promise.resolve(ids.map((id) => facts(id)));
    };
    await c.get(new Set(['a']), load);
    await c.get(new Set(['a']), load);
    expect(loads).toBe(2);
  });
});
