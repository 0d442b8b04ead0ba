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
    c.forget('a'); // the widget changed (and committed) while the old row was being read
    release();
    expect((await pending).get('a')?.version).toBe(1);
    const fresh = await c.get(new Set(['a']), (ids) =>
      Promise.resolve(ids.map((id) => facts(id, 2))),
    );
    expect(fresh.get('a')?.version).toBe(2);
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
