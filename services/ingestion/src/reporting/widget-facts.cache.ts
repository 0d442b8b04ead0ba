import { Inject, Injectable } from '@nestjs/common';
import { ExpiringCache } from '../common/expiring-cache.js';
import { IngestionConfig } from '../config/ingestion.config.js';

/** What a widget look-up yields for validation. */
export interface WidgetFacts {
  readonly id: string;
  readonly hub_id: string;
  readonly status: string;
  readonly version: number;
}

/** Widgets remembered at most (the least recently loaded go first). */
const MAX_ENTRIES = 100_000;

/**
 * The hub, status and version of widgets, for validating reported events without a Postgres
 * round trip per request (single events would otherwise pay one look-up each). Entries live
 * `INGESTION_WIDGET_CACHE_TTL_MS`; every change, by any replica, drops them at once through
 * {@link CacheInvalidation} (a Postgres trigger announces it), and the TTL bounds staleness
 * while that session is down. Unknown ids are not cached: a widget registered elsewhere is
 * usable at once.
 */
@Injectable()
export class WidgetFactsCache {
  private readonly cache: ExpiringCache<WidgetFacts>;

  constructor(@Inject(IngestionConfig) config: IngestionConfig) {
    this.cache = new ExpiringCache(config.INGESTION_WIDGET_CACHE_TTL_MS, MAX_ENTRIES);
  }

  /** The facts of `ids` (lower-case UUIDs) that exist, loading the missing ones with `load`. */
  async get(
    ids: ReadonlySet<string>,
    load: (ids: string[]) => Promise<readonly WidgetFacts[]>,
  ): Promise<Map<string, WidgetFacts>> {
    const found = new Map<string, WidgetFacts>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache.lookup(id);
      if (hit) found.set(id, hit.value);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const since = this.cache.begin();
    for (const facts of await load(missing)) {
      found.set(facts.id, facts);
      this.cache.set(facts.id, facts, since);
    }
    return found;
  }

  /** Drops a widget whose hub, status or version changed (call after the change committed). */
  forget(id: string): void {
    this.cache.forget(id);
  }

  /** Limits the TTL of new entries (while changes cannot be heard), or lifts the limit. */
  capTtl(ms: number | undefined): void {
    this.cache.capTtl(ms);
  }

  /** Drops everything (changes may have been missed while the invalidation session was down). */
  clear(): void {
    this.cache.clear();
  }
}
