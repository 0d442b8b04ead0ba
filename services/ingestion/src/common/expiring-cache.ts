/** The share of the TTL by which an entry's life is shortened at random. */
const TTL_JITTER = 0.25;

/**
 * A bounded map whose entries expire, for the reporting path's caches (widget facts, API
 * keys), with what both need from cross-replica invalidation (`CacheInvalidation`):
 *
 * - `forget`/`clear` when a change is announced, and a load that began before such a change
 *   stores nothing (it may have read the old row): take `begin()` before reading and pass it
 *   to `set`;
 * - `capTtl` while announcements cannot be heard.
 *
 * When full, the entry stored longest ago goes first (a Map iterates in insertion order).
 *
 * Each entry lives between 75% and 100% of the TTL, at random: entries loaded together (every
 * key and hot widget in the first seconds after a start) would otherwise expire together and
 * send their reloads to Postgres in one burst. The TTL stays the bound on staleness.
 *
 * Past half of its life an entry is due for a refresh (`claimRefresh`): a cache whose entries
 * are used can reload them in the background, before they expire, instead of letting requests
 * wait for the reload.
 */
export class ExpiringCache<V> {
  private readonly entries = new Map<string, { value: V; expires: number; refreshAt: number }>();
  private generation = 0;
  private ttlCap?: number;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries: number,
  ) {}

  /** The live entry of `key` (its value may be null, e.g. "no such key"), or undefined. */
  lookup(key: string): { value: V } | undefined {
    const entry = this.entries.get(key);
    return entry && entry.expires > Date.now() ? entry : undefined;
  }

  /** A token for `set`, taken before reading what will be stored. */
  begin(): number {
    return this.generation;
  }

  /** Stores `value`, unless the TTL is 0 or a forget/clear happened since `begin()`. */
  set(key: string, value: V, since: number): void {
    const ttl = Math.min(this.ttlMs, this.ttlCap ?? Infinity);
    if (ttl <= 0 || since !== this.generation) return;
    this.entries.delete(key);
    if (this.entries.size >= this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    const now = Date.now();
    const life = ttl * (1 - TTL_JITTER * Math.random());
    this.entries.set(key, { value, expires: now + life, refreshAt: now + life / 2 });
  }

  /**
   * Whether the live entry of `key` is past half of its life and nobody has claimed its refresh
   * yet; claims it. The entry stays usable until it expires; a refresh that stores nothing
   * (failed, or raced a forget) leaves it to expire.
   */
  claimRefresh(key: string): boolean {
    const entry = this.entries.get(key);
    const now = Date.now();
    if (!entry || entry.expires <= now || entry.refreshAt > now) return false;
    entry.refreshAt = Infinity;
    return true;
  }

  /** Drops one entry (its row changed). */
  forget(key: string): void {
    this.generation++;
    this.entries.delete(key);
  }

  /** Drops everything (changes may have been missed). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  /** Limits the TTL of new entries (while changes cannot be heard), or lifts the limit. */
  capTtl(ms: number | undefined): void {
    this.ttlCap = ms;
  }
}
