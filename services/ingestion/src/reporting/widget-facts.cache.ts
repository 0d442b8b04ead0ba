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

/** How long refreshes due are collected before one query reloads them all. */
const REFRESH_BATCH_MS = 100;

type Load = (ids: string[]) => Promise<readonly WidgetFacts[]>;

/**
 * The hub, status and version of widgets, for validating reported events without a Postgres
 * round trip per request (single events would otherwise pay one look-up each). Entries live
 * `INGESTION_WIDGET_CACHE_TTL_MS`; every change, by any replica, drops them at once through
 * {@link CacheInvalidation} (a Postgres trigger announces it), and the TTL bounds staleness
 * while that session is down. Unknown ids are not cached: a widget registered elsewhere is
 * usable at once.
 *
 * Reads are batched, because single events come one request per widget and a look-up per
 * request would be a Postgres round trip each: widgets in use are reloaded in the background
 * past half of their TTL, all those due within 100 ms in one query (with 50,000 widgets and a
 * 60 s TTL, reloading each as it expired made a fifth of the benchmark's single events wait for
 * a look-up), and ids that requests miss in the same turn of the event loop go into one query.
 */
@Injectable()
export class WidgetFactsCache {
  private readonly cache: ExpiringCache<WidgetFacts>;
  /** Ids missed in this turn of the event loop, loaded together at its end. */
  private batch?: { ids: Set<string>; loaded: Promise<Map<string, WidgetFacts>> };
  /** Ids in use whose entries are due for a refresh, reloaded together shortly. */
  private readonly refreshDue = new Set<string>();
  private refreshTimer?: NodeJS.Timeout;

  constructor(@Inject(IngestionConfig) config: IngestionConfig) {
    this.cache = new ExpiringCache(config.INGESTION_WIDGET_CACHE_TTL_MS, MAX_ENTRIES);
  }

  /**
   * The facts of `ids` (lower-case UUIDs) that exist, loading the missing ones with `load`
   * (together with those other calls miss in the same turn of the event loop, by the `load` of
   * the first of them: every caller must pass an equivalent one).
   */
  async get(ids: ReadonlySet<string>, load: Load): Promise<Map<string, WidgetFacts>> {
    const found = new Map<string, WidgetFacts>();
    const missing: string[] = [];
    for (const id of ids) {
      const hit = this.cache.lookup(id);
      if (!hit) missing.push(id);
      else {
        found.set(id, hit.value);
        if (this.cache.claimRefresh(id)) this.refreshSoon(id, load);
      }
    }
    if (missing.length === 0) return found;
    const loaded = await this.loadTogether(missing, load);
    for (const id of missing) {
      const facts = loaded.get(id);
      if (facts) found.set(id, facts);
    }
    return found;
  }

  /** Reloads `id` in the background with the others due within {@link REFRESH_BATCH_MS}. */
  private refreshSoon(id: string, load: Load): void {
    this.refreshDue.add(id);
    this.refreshTimer ??= setTimeout(() => {
      this.refreshTimer = undefined;
      const ids = [...this.refreshDue];
      this.refreshDue.clear();
      // A failed refresh costs nothing but the refresh: the entries expire and are loaded again.
      this.loadAndKeep(ids, load).catch(() => undefined);
    }, REFRESH_BATCH_MS).unref();
  }

  private loadTogether(missing: readonly string[], load: Load): Promise<Map<string, WidgetFacts>> {
    if (this.batch) {
      for (const id of missing) this.batch.ids.add(id);
      return this.batch.loaded;
    }
    const ids = new Set(missing);
    const loaded = new Promise<Map<string, WidgetFacts>>((resolve, reject) => {
      setImmediate(() => {
        this.batch = undefined;
        this.loadAndKeep([...ids], load).then(resolve, reject);
      });
    });
    this.batch = { ids, loaded };
    return loaded;
  }

  /**
   * Loads `ids` and caches what exists (unless a change was announced meanwhile); a loader
   * that throws instead of rejecting rejects here too.
   */
  private async loadAndKeep(ids: string[], load: Load): Promise<Map<string, WidgetFacts>> {
    const since = this.cache.begin();
    const byId = new Map<string, WidgetFacts>();
    for (const facts of await load(ids)) {
      byId.set(facts.id, facts);
      this.cache.set(facts.id, facts, since);
    }
    return byId;
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
