/**
 * The seeded workload: hubs with a skewed (Zipf, s = 1.1) share of the traffic, widgets spread
 * over them, about 300-byte events with client UUIDs, 12 event types and 3 to 8 metadata keys,
 * and planted faults at the rates (1% invalid, 0.5% exact retries, 0.1% oversize,
 * 0.05% wrong-hub keys), each with the answer the service must give.
 */

export const EVENT_TYPES = [
  'viewed',
  'clicked',
  'hovered',
  'focused',
  'blurred',
  'changed',
  'submitted',
  'scrolled',
  'dismissed',
  'expanded',
  'copied',
  'errored',
] as const;

export const FAULT_RATES = { invalid: 0.01, retry: 0.005, oversize: 0.001, wrongHub: 0.0005 };

/** Deterministic 32-bit PRNG (sfc32) seeded from a string. */
export class Random {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  constructor(seed: string) {
    let h = 1779033703 ^ seed.length;
    for (let i = 0; i < seed.length; i++) {
      h = Math.imul(h ^ seed.charCodeAt(i), 3432918353);
      h = (h << 13) | (h >>> 19);
    }
    const next = () => {
      h = Math.imul(h ^ (h >>> 16), 2246822507);
      h = Math.imul(h ^ (h >>> 13), 3266489909);
      return (h ^= h >>> 16) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.u32();
  }

  u32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.u32() / 4294967296;
  }

  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)];
  }

  /** A version 4 UUID drawn from this generator. */
  uuid(): string {
    const hex = (n: number) => n.toString(16).padStart(8, '0');
    const a = hex(this.u32());
    const b = hex(this.u32());
    const c = hex(this.u32());
    const d = hex(this.u32());
    const variant = ((parseInt(c[0], 16) & 0x3) | 0x8).toString(16);
    return `${a}-${b.slice(0, 4)}-4${b.slice(5, 8)}-${variant}${c.slice(1, 4)}-${c.slice(4)}${d}`;
  }
}

/** A hub of the benchmark's registry, with its API key and widget ids. */
export interface BenchHub {
  readonly id: string;
  readonly key: string;
  readonly widgets: string[];
}

export type FaultKind = 'none' | 'invalid' | 'retry' | 'oversize' | 'wrong_hub';

/** What the service must answer for an event: accepted, duplicate, or rejected with a reason. */
export type Expected = 'accepted' | 'duplicate' | `rejected:${string}`;

export interface PlannedEvent {
  readonly id: string;
  readonly json: string;
  readonly fault: FaultKind;
  readonly expect: Expected;
}

export interface PlannedRequest {
  /** Index of the hub whose key signs the request. */
  readonly keyHub: number;
  readonly events: PlannedEvent[];
  /** The body as sent (before any gzip). */
  readonly body: string;
}

export interface CorpusOptions {
  readonly seed: string;
  readonly hubs: readonly BenchHub[];
  /** Reference time: events occurred up to one hour before it. */
  readonly now: number;
  /** Planted fault rates (default {@link FAULT_RATES}; smoke runs raise them to meet each kind). */
  readonly faultRates?: typeof FAULT_RATES;
}

const META_KEYS = [
  'screen',
  'locale',
  'variant',
  'step',
  'ms',
  'x',
  'y',
  'build',
  'experiment',
  'tier',
  'theme',
  'ref',
];
const META_VALUES = ['de', 'en', 'fr', 'dark', 'light', 'A', 'B', 'ctl', 'gold'];
const VIEWS = ['checkout', 'cart', 'search', 'product', 'account', 'home', 'settings'];
const ACTORS = ['user', 'user', 'user', 'user', 'anonymous', 'agent', 'system'];
const INVALID_KINDS = [
  ['event_type_not_accepted', 'event_type', 'teleported'],
  ['invalid_field', 'actor_type', 'robot'],
  ['occurred_at_in_future', 'occurred_at', 'future'],
  ['unknown_widget', 'widget_id', 'random'],
] as const;

/** Zipf(s) cumulative distribution over n ranks. */
function zipfCdf(n: number, s: number): Float64Array {
  const cdf = new Float64Array(n);
  let sum = 0;
  for (let k = 1; k <= n; k++) {
    sum += 1 / k ** s;
    cdf[k - 1] = sum;
  }
  for (let k = 0; k < n; k++) cdf[k] /= sum;
  return cdf;
}

/** The event generator: deterministic for a seed and a registry. */
export class Corpus {
  private readonly rnd: Random;
  private readonly cdf: Float64Array;
  /** Events the service acknowledged as accepted, to be retried byte for byte. */
  private readonly acked = new Map<number, string[]>();
  generated = 0;
  private readonly options: CorpusOptions;

  constructor(options: CorpusOptions) {
    this.options = options;
    this.rnd = new Random(options.seed);
    this.cdf = zipfCdf(options.hubs.length, 1.1);
  }

  /** Remembers an acknowledged event (JSON) as a candidate for an exact retry. */
  acknowledged(hub: number, json: string): void {
    let list = this.acked.get(hub);
    if (!list) this.acked.set(hub, (list = []));
    if (list.length < 100) list.push(json);
    else list[this.rnd.int(100)] = json;
  }

  /** A hub index drawn from the skewed distribution. */
  hub(): number {
    const u = this.rnd.next();
    let lo = 0;
    let hi = this.cdf.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.cdf[mid] < u) lo = mid + 1;
      else hi = mid;
    }
    return lo;
  }

  /** A valid event of hub `h` as an object (key order fixed). */
  validEvent(h: number): Record<string, unknown> {
    const r = this.rnd;
    const hub = this.options.hubs[h];
    const metadata: Record<string, string | number> = {};
    const keys = 3 + r.int(6);
    const start = r.int(META_KEYS.length);
    for (let i = 0; i < keys; i++) {
      const k = META_KEYS[(start + i) % META_KEYS.length];
      metadata[k] = r.next() < 0.5 ? r.int(1000) : r.pick(META_VALUES);
    }
    const typeIndex = Math.min(
      EVENT_TYPES.length - 1,
      Math.floor(EVENT_TYPES.length * r.next() ** 2),
    );
    this.generated++;
    const e: Record<string, unknown> = {
      id: r.uuid(),
      hub_id: hub.id,
      widget_id: r.pick(hub.widgets),
      event_type: EVENT_TYPES[typeIndex],
      occurred_at: new Date(this.options.now - r.int(3_600_000)).toISOString(),
    };
    const actorType = r.pick(ACTORS);
    if (actorType === 'user' && r.next() < 0.3) e.actor_id = r.uuid();
    e.actor_type = actorType;
    if (r.next() < 0.5) e.view_context_ref = `${r.pick(VIEWS)}/${r.int(20)}`;
    e.metadata = metadata;
    return e;
  }

  /** The next event of a request signed by hub `h`'s key (`single`: the request holds only it). */
  event(h: number, single: boolean): PlannedEvent {
    const r = this.rnd;
    const u = r.next();
    const { invalid, retry, oversize, wrongHub } = this.options.faultRates ?? FAULT_RATES;
    if (u < invalid) {
      const e = this.validEvent(h);
      const [reason, field, kind] = r.pick(INVALID_KINDS);
      if (kind === 'future')
        e[field] = new Date(this.options.now + 86_400_000 + r.int(1000)).toISOString();
      else if (kind === 'random') e[field] = r.uuid();
      else e[field] = kind;
      return {
        id: e.id as string,
        json: JSON.stringify(e),
        fault: 'invalid',
        expect: `rejected:${reason}`,
      };
    }
    const candidates = this.acked.get(h);
    if (u < invalid + retry && candidates && candidates.length > 0) {
      const json = r.pick(candidates);
      const id = /"id":"([^"]+)"/.exec(json)?.[1] ?? '';
      return { id, json, fault: 'retry', expect: 'duplicate' };
    }
    if (u >= invalid + retry) {
      const t = invalid + retry + oversize;
      if (u < t) {
        const e = this.validEvent(h);
        e.metadata = { ...(e.metadata as object), blob: 'x'.repeat(9000 + r.int(1000)) };
        return {
          id: e.id as string,
          json: JSON.stringify(e),
          fault: 'oversize',
          expect: 'rejected:metadata_too_large',
        };
      }
      if (u < t + wrongHub && !single) {
        // In a batch signed by hub h: an event of another hub.
        const other = (h + 1 + r.int(this.options.hubs.length - 1)) % this.options.hubs.length;
        const e = this.validEvent(other);
        return {
          id: e.id as string,
          json: JSON.stringify(e),
          fault: 'wrong_hub',
          expect: 'rejected:hub_mismatch',
        };
      }
    }
    const e = this.validEvent(h);
    return { id: e.id as string, json: JSON.stringify(e), fault: 'none', expect: 'accepted' };
  }

  /** A request of `size` events of one hub; a single-event request may be signed by a wrong key. */
  request(size: number): PlannedRequest {
    const h = this.hub();
    if (size === 1) {
      const n = this.options.hubs.length;
      if (this.rnd.next() < (this.options.faultRates ?? FAULT_RATES).wrongHub) {
        const e = this.validEvent(h);
        const json = JSON.stringify(e);
        const keyHub = (h + 1 + this.rnd.int(n - 1)) % n;
        return {
          keyHub,
          events: [
            { id: e.id as string, json, fault: 'wrong_hub', expect: 'rejected:hub_mismatch' },
          ],
          body: json,
        };
      }
      const ev = this.event(h, true);
      return { keyHub: h, events: [ev], body: ev.json };
    }
    const events: PlannedEvent[] = [];
    for (let i = 0; i < size; i++) events.push(this.event(h, false));
    return { keyHub: h, events, body: `{"events":[${events.map((e) => e.json).join(',')}]}` };
  }

  /** `n` valid events (no faults) as objects, for the baselines. */
  validEvents(n: number): Record<string, unknown>[] {
    const out: Record<string, unknown>[] = [];
    for (let i = 0; i < n; i++) out.push(this.validEvent(this.hub()));
    return out;
  }
}
