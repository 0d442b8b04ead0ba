import { backoffMs, joinUrl, postJson, type PostOutcome } from './http.js';

/** The reporting endpoint of interaction reporting contract v1.0. */
export const EVENTS_PATH = '/api/v1/interaction-events';

/** Event types of reporting contract v1.0. */
export type EventType =
  | 'clicked'
  | 'viewed'
  | 'submitted'
  | 'focused'
  | 'blurred'
  | 'changed'
  | 'hovered'
  | 'dismissed'
  | 'errored';

export type ActorType = 'user' | 'agent' | 'system' | 'anonymous';

/** One interaction event as the reporting endpoint takes it (snake_case on the wire). */
export interface InteractionEvent {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly event_type: EventType;
  readonly occurred_at: string;
  readonly view_context_ref?: string;
  readonly actor_id?: string;
  readonly actor_type?: ActorType;
  readonly metadata?: Readonly<Record<string, unknown>>;
  readonly widget_version?: number;
}

/** Something went wrong outside the host page's control; reported, never thrown. */
export interface IhfError {
  readonly code:
    'request_refused' | 'events_rejected' | 'queue_overflow' | 'storage_unavailable' | 'internal';
  readonly message: string;
  readonly status?: number;
  readonly detail?: unknown;
}

/** Counters for dashboards and tests. */
export interface ReporterStats {
  queued: number;
  sent: number;
  rejected: number;
  /** Events dropped, oldest first, because the queue was full. */
  dropped: number;
  /** Events dropped because the server refused the whole request (4xx other than 429). */
  failed: number;
}

export interface ReporterOptions {
  readonly endpoint: string;
  readonly apiKey: string;
  readonly batchSize: number;
  readonly flushInterval: number;
  readonly maxQueue: number;
  readonly retryBase: number;
  readonly retryMax: number;
  /** Where the queue survives reloads and offline periods; null keeps it in memory only. */
  readonly storage: Storage | null;
  readonly storageKey: string;
  readonly fetch?: typeof fetch;
  readonly onError: (error: IhfError) => void;
  readonly random?: () => number;
}

interface Persisted {
  /** Last write (ms), for adopting the queues of pages that are gone when Web Locks are absent. */
  t: number;
  events: InteractionEvent[];
}

/** The browser's budget for in-flight keepalive bodies is 64 KiB; leave room for headers. */
const KEEPALIVE_BUDGET = 60_000;
/** Without Web Locks, a queue untouched this long belongs to a page that is gone. */
const ORPHAN_AFTER_MS = 60_000;

type Locks = {
  request(name: string, cb: () => Promise<void>): Promise<void>;
  query(): Promise<{ held?: { name?: string }[]; pending?: { name?: string }[] }>;
};

/**
 * Batches events, sends them, retries, and keeps a bounded queue that outlives the page.
 *
 * Every event stays in the queue (and in storage) until the server has answered for it, so a
 * page that dies mid-request sends it again on the next load; the event's client-chosen id makes
 * that retry a `duplicate` at the server, never a second row. Each page owns its own storage
 * key (`<storageKey>:<instance>`) so tabs never overwrite each other's queues; a queue whose
 * page is gone (its Web Lock released, or untouched for a minute where Web Locks are missing) is
 * adopted by the next page that starts.
 */
export class Reporter {
  readonly stats: ReporterStats = { queued: 0, sent: 0, rejected: 0, dropped: 0, failed: 0 };
  private queue: InteractionEvent[] = [];
  private readonly inflight = new Set<string>();
  private readonly key: string;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private draining: Promise<void> | undefined;
  /** Whether the running drain also sends a last partial batch (flush) or full ones only. */
  private drainAll = false;
  private attempt = 0;
  private retryAt = 0;
  /** Shrinks after a 413 so that the next request fits. */
  private batchLimit: number;
  private stopped = false;
  private releaseLock: (() => void) | undefined;

  constructor(private readonly o: ReporterOptions) {
    this.batchLimit = o.batchSize;
    this.key = `${o.storageKey}:${Math.random().toString(36).slice(2, 10)}`;
    const locks = this.locks();
    if (locks) {
      void locks
        .request(this.key, () => new Promise<void>((resolve) => (this.releaseLock = resolve)))
        .catch(() => undefined);
    }
    void this.adoptOrphans();
  }

  /** Queues an event; sends when a batch is full, else within `flushInterval`. */
  enqueue(event: InteractionEvent): void {
    if (this.stopped) return;
    this.queue.push(event);
    const over = this.queue.length - this.o.maxQueue;
    if (over > 0) {
      const dropped = this.queue.splice(0, over);
      for (const e of dropped) this.inflight.delete(e.id);
      this.stats.dropped += over;
      this.o.onError({
        code: 'queue_overflow',
        message: `queue full (${this.o.maxQueue}): dropped ${over} oldest event(s)`,
      });
    }
    this.persist();
    if (this.pending().length >= this.batchLimit) void this.drainOnce(false);
    else this.schedule(this.o.flushInterval);
  }

  /** Events waiting (in flight included). */
  get size(): number {
    return this.queue.length;
  }

  /**
   * Sends everything that is due, batch after batch; resolves when the queue is empty or the
   * next attempt has to wait (offline, back-off). Never rejects.
   */
  flush(): Promise<void> {
    return this.drainOnce(true);
  }

  private drainOnce(all: boolean): Promise<void> {
    this.drainAll ||= all;
    this.draining ??= this.drain().finally(() => {
      this.draining = undefined;
      this.drainAll = false;
    });
    return this.draining;
  }

  /**
   * The page is being hidden or unloaded: hand everything that fits the keepalive budget to
   * the browser at once (after pagehide no further request may start).
   */
  flushOnHide(): void {
    if (this.stopped || this.offline() || Date.now() < this.retryAt) return;
    let budget = KEEPALIVE_BUDGET;
    let batch: InteractionEvent[] = [];
    const batches: InteractionEvent[][] = [];
    for (const event of this.pending()) {
      const bytes = JSON.stringify(event).length + 1;
      if (bytes + 20 > budget) break;
      budget -= bytes + 20;
      batch.push(event);
      if (batch.length >= this.batchLimit) {
        batches.push(batch);
        batch = [];
      }
    }
    if (batch.length > 0) batches.push(batch);
    for (const b of batches) void this.send(b, true);
  }

  /** Empties the queue and its storage (consent withdrawn). */
  clear(): void {
    this.queue = [];
    this.inflight.clear();
    this.persist();
  }

  /** Stops timers and releases this page's queue for adoption; queued events stay stored. */
  stop(): void {
    this.stopped = true;
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.releaseLock?.();
  }

  /** Back online: retry now rather than at the end of the back-off. */
  online(): void {
    this.attempt = 0;
    this.retryAt = 0;
    void this.adoptOrphans();
    void this.flush();
  }

  private pending(): InteractionEvent[] {
    return this.queue.filter((e) => !this.inflight.has(e.id));
  }

  private offline(): boolean {
    return typeof navigator !== 'undefined' && navigator.onLine === false;
  }

  private schedule(delay: number): void {
    if (this.stopped || this.timer !== undefined) return;
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.flush();
    }, delay);
  }

  private async drain(): Promise<void> {
    while (!this.stopped && !this.offline()) {
      const wait = this.retryAt - Date.now();
      if (wait > 0) return this.schedule(wait);
      const batch = this.pending().slice(0, this.batchLimit);
      if (batch.length === 0) return;
      // Size-triggered: a partial batch waits for its timer (or for flush()).
      if (!this.drainAll && batch.length < this.batchLimit)
        return this.schedule(this.o.flushInterval);
      if (!(await this.send(batch, false))) return;
    }
  }

  /** One request; true when the caller may go on with the next batch. */
  private async send(batch: InteractionEvent[], keepalive: boolean): Promise<boolean> {
    for (const e of batch) this.inflight.add(e.id);
    let outcome: PostOutcome;
    try {
      outcome = await postJson(
        joinUrl(this.o.endpoint, EVENTS_PATH),
        this.o.apiKey,
        { events: batch },
        { keepalive, ...(this.o.fetch ? { fetch: this.o.fetch } : {}) },
      );
    } finally {
      for (const e of batch) this.inflight.delete(e.id);
    }
    if (outcome.kind === 'retry') {
      const delay =
        outcome.after ??
        backoffMs(this.attempt, this.o.retryBase, this.o.retryMax, this.o.random ?? Math.random);
      this.attempt++;
      this.retryAt = Date.now() + delay;
      this.schedule(delay);
      return false;
    }
    if (outcome.kind === 'fail' && outcome.status === 413 && batch.length > 1) {
      this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      return true;
    }
    this.attempt = 0;
    this.retryAt = 0;
    this.remove(batch);
    if (outcome.kind === 'fail') {
      this.stats.failed += batch.length;
      this.o.onError({
        code: 'request_refused',
        status: outcome.status,
        message: `${EVENTS_PATH} refused ${batch.length} event(s) with ${outcome.status}; not retried`,
        detail: outcome.body,
      });
      return true;
    }
    const rejected = rejectedResults(outcome.body);
    this.stats.rejected += rejected.length;
    this.stats.sent += batch.length - rejected.length;
    if (rejected.length > 0) {
      this.o.onError({
        code: 'events_rejected',
        status: outcome.status,
        message: `${rejected.length} event(s) rejected by the reporting contract`,
        detail: rejected,
      });
    }
    return true;
  }

  private remove(batch: InteractionEvent[]): void {
    const ids = new Set(batch.map((e) => e.id));
    this.queue = this.queue.filter((e) => !ids.has(e.id));
    this.persist();
  }

  private persist(): void {
    this.stats.queued = this.queue.length;
    const storage = this.o.storage;
    if (!storage) return;
    try {
      if (this.queue.length === 0) storage.removeItem(this.key);
      else {
        const record: Persisted = { t: Date.now(), events: this.queue };
        storage.setItem(this.key, JSON.stringify(record));
      }
    } catch (error) {
      // Quota or privacy mode: the queue still works in memory.
      this.o.onError({ code: 'storage_unavailable', message: String(error) });
    }
  }

  private locks(): Locks | undefined {
    const nav = typeof navigator === 'undefined' ? undefined : navigator;
    return (nav as { locks?: Locks } | undefined)?.locks;
  }

  /** Takes over the stored queues of pages that are gone, so their events go out once. */
  private async adoptOrphans(): Promise<void> {
    const storage = this.o.storage;
    if (!storage) return;
    try {
      const prefix = `${this.o.storageKey}:`;
      const keys: string[] = [];
      for (let i = 0; i < storage.length; i++) {
        const k = storage.key(i);
        if (k !== null && k.startsWith(prefix) && k !== this.key) keys.push(k);
      }
      if (keys.length === 0) return;
      const locks = this.locks();
      let alive: (k: string, t: number) => boolean = (_k, t) => Date.now() - t < ORPHAN_AFTER_MS;
      if (locks) {
        const state = await locks.query();
        const held = new Set([...(state.held ?? []), ...(state.pending ?? [])].map((l) => l.name));
        alive = (k) => held.has(k);
      }
      const known = new Set(this.queue.map((e) => e.id));
      let adopted = 0;
      for (const k of keys) {
        const raw = storage.getItem(k);
        let record: Persisted | undefined;
        try {
          record = raw ? (JSON.parse(raw) as Persisted) : undefined;
        } catch {
          record = undefined;
        }
        if (record && alive(k, record.t)) continue;
        storage.removeItem(k);
        for (const e of Array.isArray(record?.events) ? record.events : []) {
          if (e && typeof e.id === 'string' && !known.has(e.id)) {
            known.add(e.id);
            this.queue.push(e);
            adopted++;
          }
        }
      }
      if (adopted > 0) {
        this.queue.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
        const over = this.queue.length - this.o.maxQueue;
        if (over > 0) {
          this.queue.splice(0, over);
          this.stats.dropped += over;
        }
        this.persist();
        this.schedule(0);
      }
    } catch (error) {
      this.o.onError({ code: 'storage_unavailable', message: String(error) });
    }
  }
}

/** Per-event results the server marked `rejected` (tolerant of the answer's exact shape). */
function rejectedResults(body: unknown): unknown[] {
  const results = (body as { results?: unknown } | null)?.results;
  if (!Array.isArray(results)) return [];
  return results.filter(
    (r) => (r as { status?: unknown } | null)?.status === 'rejected',
  ) as unknown[];
}
