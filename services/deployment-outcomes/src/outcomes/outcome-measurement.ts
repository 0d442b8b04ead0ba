import { type EntityManager } from '@mikro-orm/core';
import { SEVERITIES } from '@ihf/contracts';
import { query } from '@ihf/persistence';
import { compareProportions, compareRates, type Comparison } from './outcome-statistics.js';

/** A ratio between two event types the deployment asked for (e.g. submit per view). */
export interface RatioSpec {
  readonly numerator: string;
  readonly denominator: string;
}

/** The windows of one measurement. */
export interface MeasurementWindows {
  readonly beforeStart: Date;
  readonly deployedAt: Date;
  /** End of the after-window measured: its close, or now while it is open. */
  readonly afterEnd: Date;
}

/** One computed signal of one widget. */
export interface ComputedSignal extends Comparison {
  readonly widgetId: string;
  readonly signalType: string;
  readonly details: Record<string, number>;
}

interface Counts {
  readonly events: Map<string, number>;
  readonly severities: Map<string, number>;
  readonly annotations: number;
}

const HOUR = 3_600_000;

const uuidArray = (ids: readonly string[]): string => `{${ids.join(',')}}`;

/**
 * Events per widget and type in [from, to): whole hours from the hourly rollup, the partial
 * first and last hours from the per-minute one. One query for all the widgets.
 */
async function eventCounts(
  em: EntityManager,
  widgetIds: readonly string[],
  from: Date,
  to: Date,
): Promise<{ widget_id: string; event_type: string; n: string }[]> {
  const firstHour = new Date(Math.ceil(from.getTime() / HOUR) * HOUR);
  const lastHour = new Date(Math.floor(to.getTime() / HOUR) * HOUR);
  const ids = uuidArray(widgetIds);
  if (firstHour >= lastHour) {
    return query(
      em,
      `select widget_id, event_type, sum(events) as n from deployment.interaction_rollups
       where widget_id = any(?::uuid[]) and minute >= ? and minute < ? group by 1, 2`,
      [ids, from, to],
    );
  }
  return query(
    em,
    `select widget_id, event_type, sum(n) as n from (
       select widget_id, event_type, events as n from deployment.interaction_rollups
       where widget_id = any(?::uuid[])
         and ((minute >= ? and minute < ?) or (minute >= ? and minute < ?))
       union all
       select widget_id, event_type, events from deployment.interaction_rollups_hourly
       where widget_id = any(?::uuid[]) and hour >= ? and hour < ?
     ) c group by 1, 2`,
    [ids, from, firstHour, lastHour, to, ids, firstHour, lastHour],
  );
}

/** Events per type and annotations per severity of each widget in [from, to). */
async function counts(
  em: EntityManager,
  widgetIds: readonly string[],
  from: Date,
  to: Date,
): Promise<Map<string, Counts>> {
  const events = await eventCounts(em, widgetIds, from, to);
  const severities = await query<{ widget_id: string; severity: string; n: string }>(
    em,
    `select widget_id, severity, sum(annotations) as n from deployment.annotation_rollups
     where widget_id = any(?::uuid[]) and minute >= ? and minute < ? group by 1, 2`,
    [uuidArray(widgetIds), from, to],
  );
  const result = new Map<string, Counts>();
  for (const id of widgetIds) {
    const sev = new Map(
      severities.filter((r) => r.widget_id === id).map((r) => [r.severity, Number(r.n)]),
    );
    result.set(id, {
      events: new Map(
        events.filter((r) => r.widget_id === id).map((r) => [r.event_type, Number(r.n)]),
      ),
      severities: sev,
      annotations: [...sev.values()].reduce((a, b) => a + b, 0),
    });
  }
  return result;
}

/** The signals of every widget of `widgetIds` (4 queries in all, whatever their number). */
export async function measureWidgets(
  em: EntityManager,
  widgetIds: readonly string[],
  windows: MeasurementWindows,
  options: { ratios: readonly RatioSpec[]; viewEventType: string; minSample: number },
): Promise<ComputedSignal[]> {
  if (widgetIds.length === 0) return [];
  const before = await counts(em, widgetIds, windows.beforeStart, windows.deployedAt);
  const after = await counts(em, widgetIds, windows.deployedAt, windows.afterEnd);
  return widgetIds.flatMap((id) =>
    signalsOf(id, before.get(id)!, after.get(id)!, windows, options),
  );
}

/**
 * The before/after signals of one widget: a rate per event type (events per hour), each
 * requested ratio, friction (annotations per 1,000 views) and the share of each severity.
 */
function signalsOf(
  widgetId: string,
  before: Counts,
  after: Counts,
  windows: MeasurementWindows,
  options: { ratios: readonly RatioSpec[]; viewEventType: string; minSample: number },
): ComputedSignal[] {
  const hours = (from: Date, to: Date): number => (to.getTime() - from.getTime()) / 3_600_000;
  const tBefore = hours(windows.beforeStart, windows.deployedAt);
  const tAfter = hours(windows.deployedAt, windows.afterEnd);
  const signals: ComputedSignal[] = [];
  const { minSample } = options;

  const types = [...new Set([...before.events.keys(), ...after.events.keys()])].sort();
  for (const type of types) {
    const b = before.events.get(type) ?? 0;
    const a = after.events.get(type) ?? 0;
    signals.push({
      widgetId,
      signalType: `rate_per_hour:${type}`,
      details: { before_count: b, after_count: a, before_hours: tBefore, after_hours: tAfter },
      ...compareRates(b, tBefore, a, tAfter, minSample),
    });
  }
  for (const ratio of options.ratios) {
    const x1 = before.events.get(ratio.numerator) ?? 0;
    const n1 = before.events.get(ratio.denominator) ?? 0;
    const x2 = after.events.get(ratio.numerator) ?? 0;
    const n2 = after.events.get(ratio.denominator) ?? 0;
    signals.push({
      widgetId,
      signalType: `ratio:${ratio.numerator}/${ratio.denominator}`,
      details: {
        before_numerator: x1,
        before_denominator: n1,
        after_numerator: x2,
        after_denominator: n2,
      },
      ...compareProportions(x1, n1, x2, n2, minSample),
    });
  }
  const vb = before.events.get(options.viewEventType) ?? 0;
  const va = after.events.get(options.viewEventType) ?? 0;
  // Friction is annotations per 1,000 views: a rate whose exposure is the views.
  const friction = compareRates(before.annotations, vb, after.annotations, va, minSample, 1000);
  signals.push({
    widgetId,
    signalType: 'friction_per_1000_views',
    details: {
      before_annotations: before.annotations,
      after_annotations: after.annotations,
      before_views: vb,
      after_views: va,
    },
    ...friction,
    // Views below the minimum make the rate meaningless too.
    notEnoughData: friction.notEnoughData || vb < minSample || va < minSample,
  });
  for (const severity of SEVERITIES) {
    const x1 = before.severities.get(severity) ?? 0;
    const x2 = after.severities.get(severity) ?? 0;
    if (x1 === 0 && x2 === 0) continue;
    signals.push({
      widgetId,
      signalType: `severity_share:${severity}`,
      details: {
        before_count: x1,
        before_total: before.annotations,
        after_count: x2,
        after_total: after.annotations,
      },
      ...compareProportions(x1, before.annotations, x2, after.annotations, minSample),
    });
  }
  return signals;
}
