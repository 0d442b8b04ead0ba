import { TokenBuckets } from './token-bucket.js';

describe('TokenBuckets', () => {
  it('allows a burst, then refuses with the seconds to wait', () => {
    const buckets = new TokenBuckets(10, 20);
    expect(buckets.take('hub', 15, 0)).toBe(0);
    expect(buckets.take('hub', 5, 0)).toBe(0);
    expect(buckets.take('hub', 10, 0)).toBe(1);
    expect(buckets.take('hub', 30, 0)).toBe(2);
  });

  it('refills over time, up to the burst', () => {
    const buckets = new TokenBuckets(10, 20);
    buckets.take('hub', 20, 0);
    expect(buckets.take('hub', 10, 500)).toBe(1);
    expect(buckets.take('hub', 10, 1000)).toBe(0);
    expect(buckets.take('hub', 20, 60_000)).toBe(0);
    expect(buckets.take('hub', 1, 60_000)).toBe(1);
  });

  it('keeps hubs apart, and caps a cost at the burst', () => {
    const buckets = new TokenBuckets(1, 5);
    expect(buckets.take('a', 5, 0)).toBe(0);
    expect(buckets.take('b', 1000, 0)).toBe(0);
    expect(buckets.take('a', 1, 0)).toBe(1);
  });
});
