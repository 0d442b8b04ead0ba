// Synthetic interaction history for the demo hub: some weeks of visitor sessions on the demo
// shop's widgets with one friction pattern a product team would notice:
//  - the product widget's "Add to cart" is clicked again within a second more and more often
//    (visitors do not see the cart update: "rage clicks"), from the middle of the period on;
//  - the checkout widget gets views and fewer and fewer submits after that, and some errors;
//  - the other widgets behave normally (views, the odd click or submit).
// Deterministic for a seed, so two runs tell the same story. Times are spread over daytime
// hours; ingestion refuses events older than 30 days (rule occurred_at_not_stale) or more than
// 5 minutes ahead, so `days` must stay below 30.
import { randomUUID } from 'node:crypto';
import type { DemoWidget, ReportedEvent } from '../loop/loop.ts';

/** A small deterministic pseudo-random generator (mulberry32). */
function random(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

const VIEWS: Record<DemoWidget, string> = {
  wcCart: 'demo/cart',
  wcNewsletter: 'demo/newsletter',
  wcFooter: 'demo/footer',
  shadowSearch: 'demo/search',
  reactProduct: 'demo/product',
  reactCheckout: 'demo/checkout',
  vueProfile: 'demo/profile',
};

export interface HistoryOptions {
  readonly hubId: string;
  readonly widgets: Readonly<Record<DemoWidget, string>>;
  /** How many days back (below 30: ingestion's staleness rule). */
  readonly days: number;
  /** Visitor sessions per day. */
  readonly sessionsPerDay: number;
  readonly now?: Date;
  readonly seed?: number;
}

/** The events, oldest first (each with a fresh id: a rerun is new history, not duplicates). */
export function syntheticHistory(options: HistoryOptions): ReportedEvent[] {
  if (options.days >= 30) throw new Error('ingestion refuses events older than 30 days');
  const rnd = random(options.seed ?? 42);
  const now = (options.now ?? new Date()).getTime();
  const events: ReportedEvent[] = [];
  const add = (widget: DemoWidget, event_type: string, at: number, actor: string) => {
    events.push({
      id: randomUUID(),
      widget_id: options.widgets[widget],
      hub_id: options.hubId,
      event_type,
      occurred_at: new Date(Math.min(at, now - 1000)).toISOString(),
      view_context_ref: VIEWS[widget],
      actor_id: actor,
      metadata: { source: 'ihf-demo-history' },
    });
  };
  for (let day = options.days; day >= 1; day--) {
    // 0 at the start of the period, 1 at its end: the friction grows in the second half.
    const progress = (options.days - day) / options.days;
    const friction = Math.max(0, (progress - 0.5) * 2);
    const midnight = now - day * 86_400_000;
    for (let s = 0; s < options.sessionsPerDay; s++) {
      const actor = randomUUID();
      // Daytime: 08:00-22:00, a session lasts up to ten minutes.
      let t = midnight + (8 + rnd() * 14) * 3_600_000;
      const step = () => (t += 1_000 + rnd() * 20_000);
      add('wcFooter', 'viewed', step(), actor);
      if (rnd() < 0.3) add('shadowSearch', 'submitted', step(), actor);
      add('reactProduct', 'viewed', step(), actor);
      if (rnd() < 0.6) {
        add('reactProduct', 'clicked', step(), actor);
        // The friction: the cart does not seem to update, so visitors click again at once.
        if (rnd() < 0.05 + 0.6 * friction) {
          t += 300 + rnd() * 600;
          add('reactProduct', 'clicked', t, actor);
          if (rnd() < 0.5) add('reactProduct', 'clicked', (t += 400), actor);
        }
        add('wcCart', 'viewed', step(), actor);
        add('reactCheckout', 'viewed', step(), actor);
        if (rnd() < 0.7 - 0.35 * friction) add('reactCheckout', 'submitted', step(), actor);
        else if (rnd() < 0.3 * friction) add('reactCheckout', 'errored', step(), actor);
      }
      if (rnd() < 0.1) add('wcNewsletter', 'submitted', step(), actor);
      if (rnd() < 0.05) add('vueProfile', 'submitted', step(), actor);
    }
  }
  return events.sort((a, b) => a.occurred_at.localeCompare(b.occurred_at));
}
