import { Inject, Injectable } from '@nestjs/common';
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
  private readonly entries = new Map<string, { facts: WidgetFacts; expires: number }>();
  /** Bumped by every `forget`: a load that started before it must not store what it read. */
  private generation = 0;
  private ttlCap?: number;

  constructor(@Inject(IngestionConfig) private readonly config: IngestionConfig) {}

  /** The facts of `ids` (lower-case UUIDs) that exist, loading the missing ones with `load`. */
  async get(
    ids: ReadonlySet<string>,
    load: (ids: string[]) => Promise<readonly WidgetFacts[]>,
  ): Promise<Map<string, WidgetFacts>> {
    const found = new Map<string, WidgetFacts>();
    const missing: string[] = [];
    const now = Date.now();
    for (const id of ids) {
      const entry = this.entries.get(id);
      if (entry && entry.expires > now) found.set(id, entry.facts);
      else missing.push(id);
    }
    if (missing.length === 0) return found;
    const generation = this.generation;
    const loaded = await load(missing);
    const ttl = Math.min(this.config.INGESTION_WIDGET_CACHE_TTL_MS, this.ttlCap ?? Infinity);
    const keep = ttl > 0 && generation === this.generation;
    for (const facts of loaded) {
      found.set(facts.id, facts);
      if (keep) this.remember(facts, Date.now() + ttl);
    }
    return found;
  }

  /** Drops a widget whose status or version changed (call after the change committed). */
  forget(id: string): void {
    this.generation++;
    this.entries.delete(id);
  }

  /** Limits the TTL of new entries (while changes cannot be heard), or lifts the limit. */
  capTtl(ms: number | undefined): void {
    this.ttlCap = ms;
  }

  /** Drops everything (changes may have been missed while the invalidation session was down). */
  clear(): void {
    this.generation++;
    this.entries.clear();
  }

  private remember(facts: WidgetFacts, expires: number): void {
    this.entries.delete(facts.id);
    if (this.entries.size >= MAX_ENTRIES) {
      const oldest = this.entries.keys().next();
      if (!oldest.done) this.entries.delete(oldest.value);
    }
    this.entries.set(facts.id, { facts, expires });
  }
}
