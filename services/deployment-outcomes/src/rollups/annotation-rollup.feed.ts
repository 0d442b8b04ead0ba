import { type PoolClient } from 'pg';
import { ANNOTATION_CATEGORIES, ORDERED_READERS, SEVERITIES, Subjects } from '@ihf/contracts';
import { minuteOf } from './interaction-rollup.feed.js';
import { type FeedMessage, type RollupFeed } from './rollup-consumer.js';

/** One annotation as the rollup counts it. */
export interface AnnotationItem {
  readonly hubId: string;
  readonly widgetId: string;
  readonly category: string;
  readonly severity: string;
  readonly minute: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const categories: ReadonlySet<string> = new Set(ANNOTATION_CATEGORIES);
const severities: ReadonlySet<string> = new Set(SEVERITIES);
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Parses `ihf.feedback.annotation.created.v1`; retractions are not counted (see README). */
export function parseAnnotation(message: FeedMessage): AnnotationItem | undefined | Error {
  if (message.subject !== Subjects.Feedback.AnnotationCreatedV1) return undefined;
  const envelope = message.data;
  if (!isRecord(envelope) || !isRecord(envelope.payload)) return new Error('no payload');
  const p = envelope.payload;
  if (typeof envelope.hub_id !== 'string' || !UUID.test(envelope.hub_id))
    return new Error('hub_id');
  if (typeof p.widget_id !== 'string' || !UUID.test(p.widget_id)) return new Error('widget_id');
  if (typeof p.category !== 'string' || !categories.has(p.category)) return new Error('category');
  if (typeof p.severity !== 'string' || !severities.has(p.severity)) return new Error('severity');
  const minute = typeof p.created_at === 'string' ? minuteOf(p.created_at) : NaN;
  if (!Number.isFinite(minute)) return new Error('created_at');
  return {
    hubId: envelope.hub_id.toLowerCase(),
    widgetId: p.widget_id.toLowerCase(),
    category: p.category,
    severity: p.severity,
    minute,
  };
}

/**
 * Adds a batch to `annotation_rollups`. Annotation events carry no widget version: the
 * widget's version in the read model when the batch is applied is used (0 when unknown).
 */
export async function applyAnnotations(
  client: PoolClient,
  items: readonly AnnotationItem[],
): Promise<void> {
  const rows = new Map<string, { item: AnnotationItem; n: number }>();
  for (const item of items) {
    const key = `${item.widgetId}|${item.minute}|${item.category}|${item.severity}`;
    const row = rows.get(key);
    if (row) row.n++;
    else rows.set(key, { item, n: 1 });
  }
  const r = [...rows.values()];
  await client.query(
    `insert into deployment.annotation_rollups
       (hub_id, widget_id, widget_version, category, severity, minute, annotations)
     select a.hub_id, a.widget_id, coalesce(w.version, 0), a.category, a.severity, a.minute, a.n
     from unnest($1::uuid[], $2::uuid[], $3::text[], $4::text[], $5::timestamptz[], $6::bigint[])
       as a (hub_id, widget_id, category, severity, minute, n)
     left join deployment.widgets w on w.id = a.widget_id
     on conflict (widget_id, minute, category, severity, widget_version) do update
       set annotations = deployment.annotation_rollups.annotations + excluded.annotations`,
    [
      r.map((x) => x.item.hubId),
      r.map((x) => x.item.widgetId),
      r.map((x) => x.item.category),
      r.map((x) => x.item.severity),
      r.map((x) => new Date(x.item.minute)),
      r.map((x) => x.n),
    ],
  );
}

/** The annotation rollup: feedback's annotation events. */
export const ANNOTATION_FEED: RollupFeed<AnnotationItem> = {
  name: 'annotations',
  // Declared in the contracts, so that the bus permissions allow exactly this read.
  stream: ORDERED_READERS.deployment_annotation_rollup.stream,
  filterSubject: ORDERED_READERS.deployment_annotation_rollup.filterSubject,
  parse: parseAnnotation,
  apply: applyAnnotations,
};
