/**
 * Token buckets per key (a hub): `ratePerSec` tokens refill continuously up to `burst`. A
 * request takes as many tokens as it carries events (at most `burst`, so that any allowed
 * batch can pass once the bucket is full). In memory, per replica: the hub's limit across N
 * replicas is N times this.
 */
export class TokenBuckets {
  private readonly buckets = new Map<string, { tokens: number; at: number }>();

  constructor(
    private readonly ratePerSec: number,
    private readonly burst: number,
    private readonly maxKeys = 100_000,
  ) {}

  /**
   * Takes `cost` tokens from `key`'s bucket. Returns 0 when taken, else the seconds after which
   * they would be available (nothing is taken then).
   */
  take(key: string, cost: number, now = Date.now()): number {
    const need = Math.min(Math.max(cost, 1), this.burst);
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= this.maxKeys) this.evictFull(now);
      bucket = { tokens: this.burst, at: now };
      this.buckets.set(key, bucket);
    }
    bucket.tokens = Math.min(
      this.burst,
      bucket.tokens + ((now - bucket.at) / 1000) * this.ratePerSec,
    );
    bucket.at = now;
    if (bucket.tokens >= need) {
      bucket.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - bucket.tokens) / this.ratePerSec));
  }

  /** Drops buckets that have refilled (forgetting them changes nothing). */
  private evictFull(now: number): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + ((now - b.at) / 1000) * this.ratePerSec >= this.burst)
        this.buckets.delete(key);
    }
  }
}
