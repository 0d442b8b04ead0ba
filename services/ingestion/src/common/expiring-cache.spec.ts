import { ExpiringCache } from './expiring-cache.js';

describe('ExpiringCache', () => {
  it('keeps null values apart from absent ones, and drops the oldest entry when full', () => {
    const c = new ExpiringCache<string | null>(60_000, 2);
    c.set('a', null, c.begin());
    expect(c.lookup('a')).toBeDefined();
    expect(c.lookup('a')?.value).toBeNull();
    expect(c.lookup('b')).toBeUndefined();
    c.set('b', 'B', c.begin());
    c.set('c', 'C', c.begin());
    expect(c.lookup('a')).toBeUndefined();
    expect(c.lookup('b')?.value).toBe('B');
    expect(c.lookup('c')?.value).toBe('C');
  });

  it('makes an entry due for one refresh past half of its life', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const c = new ExpiringCache<string>(1_000, 10);
      c.set('a', 'A', c.begin());
      jest.setSystemTime(1_000_000 + 370); // the shortest life is 750 ms
      expect(c.claimRefresh('a')).toBe(false);
      jest.setSystemTime(1_000_000 + 500);
      expect(c.claimRefresh('a')).toBe(true);
      expect(c.claimRefresh('a')).toBe(false); // claimed once
      expect(c.lookup('a')?.value).toBe('A'); // still served until it expires
      expect(c.claimRefresh('missing')).toBe(false);
      c.set('a', 'A2', c.begin()); // the refresh stored: a new life
      expect(c.claimRefresh('a')).toBe(false);
      jest.setSystemTime(1_000_000 + 500 + 500); // due again (from 875 ms), not expired (1,250 ms)
      expect(c.claimRefresh('a')).toBe(true);
    } finally {
      jest.useRealTimers();
    }
  });

  it('stores nothing read before a forget or clear', () => {
    const c = new ExpiringCache<string>(60_000, 10);
    const since = c.begin();
    c.forget('x');
    c.set('a', 'stale', since);
    expect(c.lookup('a')).toBeUndefined();
    const again = c.begin();
    c.clear();
    c.set('a', 'stale', again);
    expect(c.lookup('a')).toBeUndefined();
  });

  it('lets entries live at most the cap while it is set', async () => {
    const c = new ExpiringCache<string>(60_000, 10);
    c.capTtl(20);
    c.set('a', 'A', c.begin());
    c.capTtl(undefined);
    c.set('b', 'B', c.begin());
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(c.lookup('a')).toBeUndefined();
    expect(c.lookup('b')?.value).toBe('B');
  });

  it('spreads expiries over the last quarter of the TTL, never beyond it', () => {
    jest.useFakeTimers({ now: 1_000_000 });
    try {
      const c = new ExpiringCache<number>(1_000, 1_000);
      for (let i = 0; i < 1_000; i++) c.set(String(i), i, c.begin());
      const alive = () =>
        Array.from({ length: 1_000 }, (_, i) => c.lookup(String(i))).filter(Boolean);
      jest.setSystemTime(1_000_000 + 749);
      expect(alive()).toHaveLength(1_000);
      jest.setSystemTime(1_000_000 + 875);
      // About half by now (binomial: 500 ± 16); far from all or none.
      expect(alive().length).toBeGreaterThan(400);
      expect(alive().length).toBeLessThan(600);
      jest.setSystemTime(1_000_000 + 1_000);
      expect(alive()).toHaveLength(0);
    } finally {
      jest.useRealTimers();
    }
  });
});
