import { Inject, Injectable, Logger, type OnModuleDestroy } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import {
  type ApiKeyPrincipal,
  ApiKeyVerifier,
  type PresentedApiKey,
  verifyApiKeyHash,
} from '@ihf/auth';
import { ExpiringCache } from '../common/expiring-cache.js';
import { IngestionConfig } from '../config/ingestion.config.js';
import { isConnectionError, StorageUnavailableError } from '../common/unavailable.error.js';

interface StoredKey {
  readonly id: string;
  readonly hubId: string;
  readonly hash: string;
}

/** Active keys remembered at most. */
const MAX_KEYS = 10_000;
/**
 * Unknown prefixes remembered at most, in their own cache: random prefixes (a scan, a broken
 * client) then evict only each other, never a real key.
 */
const MAX_UNKNOWN_PREFIXES = 10_000;
const LAST_USED_EVERY_MS = 60_000;
/**
 * Last uses are written together, one UPDATE per this interval: one statement per key made a
 * wave of single-row transactions a minute after every warm start (each key is first used
 * within seconds of the others), competing with the reporting writes for pooled connections.
 */
const LAST_USED_FLUSH_MS = 1_000;

/**
 * Checks hub API keys against `ingestion.hub_api_keys`, with a short cache per prefix so that
 * the reporting endpoint does not query Postgres per request. A revoked key is refused by every
 * replica at once (the revocation is announced by a Postgres trigger, see
 * {@link CacheInvalidation}), and at the latest once its entry expires
 * (`INGESTION_API_KEY_CACHE_TTL_MS`) if that announcement was missed. The hash is compared in
 * constant time on every request, cached or not.
 */
@Injectable()
export class HubApiKeyVerifier extends ApiKeyVerifier implements OnModuleDestroy {
  private readonly logger = new Logger(HubApiKeyVerifier.name);
  /** Active keys by prefix. */
  private readonly keys: ExpiringCache<StoredKey>;
  /** Prefixes no active key has (cached too, so random keys cannot flood Postgres). */
  private readonly unknown: ExpiringCache<null>;
  /**
   * When `last_used_at` was last written, by key id, oldest first; entries older than
   * LAST_USED_EVERY_MS are swept, so it holds at most the keys used in the last minute.
   */
  private readonly lastUsedWritten = new Map<string, number>();
  /** Key ids whose last use is due to be written at the next flush. */
  private readonly lastUsePending = new Set<string>();
  private lastUseFlush?: NodeJS.Timeout;
  private readonly retryAfterSec: number;

  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(IngestionConfig) config: IngestionConfig,
  ) {
    super();
    this.keys = new ExpiringCache(config.INGESTION_API_KEY_CACHE_TTL_MS, MAX_KEYS);
    this.unknown = new ExpiringCache(config.INGESTION_API_KEY_CACHE_TTL_MS, MAX_UNKNOWN_PREFIXES);
    this.retryAfterSec = config.INGESTION_RETRY_AFTER_SEC;
  }

  async verify(presented: PresentedApiKey): Promise<ApiKeyPrincipal | null> {
    const stored = await this.lookup(presented.prefix);
    if (stored === null || !verifyApiKeyHash(presented.key, stored.hash)) return null;
    this.touch(stored.id);
    return { hubId: stored.hubId, keyId: stored.id, prefix: presented.prefix };
  }

  /** Drops a prefix from the cache (after a revocation, here or announced by another replica). */
  forget(prefix: string): void {
    this.keys.forget(prefix);
    this.unknown.forget(prefix);
  }

  /** Limits the TTL of new entries (while revocations cannot be heard), or lifts the limit. */
  capTtl(ms: number | undefined): void {
    this.keys.capTtl(ms);
    this.unknown.capTtl(ms);
  }

  /** Drops every cached key (revocations may have been missed). */
  clear(): void {
    this.keys.clear();
    this.unknown.clear();
  }

  /** Keys whose last-use write is remembered (for tests and the curious). */
  get trackedLastUses(): number {
    return this.lastUsedWritten.size;
  }

  private async lookup(prefix: string): Promise<StoredKey | null> {
    const hit = this.keys.lookup(prefix) ?? this.unknown.lookup(prefix);
    if (hit) return hit.value;
    // A revocation announced while this reads must not be undone by caching the old row.
    const sinceKeys = this.keys.begin();
    const sinceUnknown = this.unknown.begin();
    let rows: { id: string; hub_id: string; key_hash: string }[];
    try {
      rows = await this.em
        .getConnection()
        .execute(
          'select id, hub_id, key_hash from ingestion.hub_api_keys where prefix = ? and revoked_at is null',
          [prefix],
        );
    } catch (error) {
      if (isConnectionError(error)) throw new StorageUnavailableError(this.retryAfterSec, error);
      throw error;
    }
    const row = rows[0];
    const key = row ? { id: row.id, hubId: row.hub_id, hash: row.key_hash } : null;
    if (key) this.keys.set(prefix, key, sinceKeys);
    else this.unknown.set(prefix, null, sinceUnknown);
    return key;
  }

  /** Records `last_used_at`, at most once a minute per key, off the request path (batched). */
  private touch(keyId: string): void {
    const now = Date.now();
    const horizon = now - LAST_USED_EVERY_MS;
    if ((this.lastUsedWritten.get(keyId) ?? 0) > horizon) return;
    // Re-inserted at the end, so the map stays in time order and the sweep stops early.
    this.lastUsedWritten.delete(keyId);
    this.lastUsedWritten.set(keyId, now);
    for (const [id, at] of this.lastUsedWritten) {
      if (at > horizon) break;
      this.lastUsedWritten.delete(id);
    }
    this.lastUsePending.add(keyId);
    this.lastUseFlush ??= setTimeout(() => void this.writeLastUses(), LAST_USED_FLUSH_MS).unref();
  }

  /** Writes the pending last uses in one statement; a failed write is retried at the next use. */
  private async writeLastUses(): Promise<void> {
    this.lastUseFlush = undefined;
    const ids = [...this.lastUsePending];
    this.lastUsePending.clear();
    if (ids.length === 0) return;
    try {
      // Key ids are UUIDs (the column's type), so the array literal needs no quoting.
      await this.em
        .getConnection()
        .execute(
          'update ingestion.hub_api_keys set last_used_at = now() where id = any(?::uuid[])',
          [`{${ids.join(',')}}`],
        );
    } catch (error) {
      for (const id of ids) this.lastUsedWritten.delete(id);
      this.logger.warn(`Could not record the last use of ${ids.length} API keys: ${String(error)}`);
    }
  }

  async onModuleDestroy(): Promise<void> {
    clearTimeout(this.lastUseFlush);
    await this.writeLastUses();
  }
}
