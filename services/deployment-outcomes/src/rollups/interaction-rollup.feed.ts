import { type PoolClient } from 'pg';
import { ORDERED_READERS, Subjects } from '@ihf/contracts';
import { type FeedMessage, type RollupFeed } from './rollup-consumer.js';

/** One interaction event as the rollup counts it. */
export interface InteractionItem {
  readonly hubId: string;
  readonly widgetId: string;
  readonly widgetVersion: number;
  readonly eventType: string;
  /** Start of the event's minute (ms since the epoch). */
  readonly minute: number;
  /** `metadata.session_id` when the reporter sent one. */
  readonly session: string | null;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Start of the minute `iso` falls in, or NaN. */
export const minuteOf = (iso: string): number => Math.floor(Date.parse(iso) / 60_000) * 60_000;

/**
 * Parses an `ihf.ingestion.interaction.recorded.v1` envelope. Checked by hand, field by field
 * as the contract says, rather than through class-validator: this runs for every interaction
 * event of the platform, and only the counted fields matter here.
 */
export function parseInteraction(message: FeedMessage): InteractionItem | undefined | Error {
  if (message.subject !== Subjects.Ingestion.InteractionRecordedV1) return undefined;
  const envelope = message.data;
  if (!isRecord(envelope) || !isRecord(envelope.payload)) return new Error('no payload');
  const p = envelope.payload;
  if (typeof p.hub_id !== 'string' || !UUID.test(p.hub_id)) return new Error('hub_id');
  if (typeof p.widget_id !== 'string' || !UUID.test(p.widget_id)) return new Error('widget_id');
  if (!Number.isInteger(p.widget_version) || (p.widget_version as number) < 1)
    return new Error('widget_version');
  if (typeof p.event_type !== 'string' || !p.event_type || p.event_type.length > 100)
    return new Error('event_type');
  const minute = typeof p.occurred_at === 'string' ? minuteOf(p.occurred_at) : NaN;
  if (!Number.isFinite(minute)) return new Error('occurred_at');
  const raw = isRecord(p.metadata) ? p.metadata.session_id : undefined;
  const session = typeof raw === 'string' && raw.length > 0 && raw.length <= 200 ? raw : null;
  return {
    hubId: p.hub_id.toLowerCase(),
    widgetId: p.widget_id.toLowerCase(),
    widgetVersion: p.widget_version as number,
    eventType: p.event_type,
    minute,
    session,
  };
}

/**
 * Adds a batch to `interaction_rollups` (events per hub, widget, version, event type and
 * minute), to its hourly sums and to the distinct sessions of each row: the batch is summed
 * in memory first, so each row gets one upsert.
 */
export async function applyInteractions(
  client: PoolClient,
  items: readonly InteractionItem[],
): Promise<void> {
  const rows = new Map<string, { item: InteractionItem; events: number }>();
  const sessions = new Map<string, InteractionItem>();
  for (const item of items) {
    const key = `${item.widgetId}|${item.minute}|${item.eventType}|${item.widgetVersion}`;
    const row = rows.get(key);
    if (row) row.events++;
    else rows.set(key, { item, events: 1 });
    if (item.session !== null) sessions.set(`${key}|${item.session}`, item);
  }
  const r = [...rows.values()];
  const s = [...sessions.values()];
  const hourly = new Map<string, { item: InteractionItem; hour: number; events: number }>();
  for (const { item, events } of r) {
    const hour = Math.floor(item.minute / 3_600_000) * 3_600_000;
    const key = `${item.widgetId}|${hour}|${item.eventType}|${item.widgetVersion}`;
    const row = hourly.get(key);
    if (row) row.events += events;
    else hourly.set(key, { item, hour, events });
  }
  const h = [...hourly.values()];
  await client.query(
    `insert into deployment.interaction_rollups_hourly
       (hub_id, widget_id, widget_version, event_type, hour, events)
     select * from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::bigint[])
     on conflict (widget_id, hour, event_type, widget_version) do update
       set events = deployment.interaction_rollups_hourly.events + excluded.events`,
    [
      h.map((x) => x.item.hubId),
      h.map((x) => x.item.widgetId),
      h.map((x) => x.item.widgetVersion),
      h.map((x) => x.item.eventType),
      h.map((x) => new Date(x.hour)),
      h.map((x) => x.events),
    ],
  );
  await client.query(
    `with new_sessions as (
       insert into deployment.interaction_sessions (widget_id, minute, event_type, widget_version, session)
       select * from unnest($7::uuid[], $8::timestamptz[], $9::text[], $10::int[], $11::text[])
       on conflict do nothing
       returning widget_id, minute, event_type, widget_version
     ), counted as (
       select widget_id, minute, event_type, widget_version, count(*) as n
       from new_sessions group by 1, 2, 3, 4
     )
     insert into deployment.interaction_rollups
       (hub_id, widget_id, widget_version, event_type, minute, events, sessions)
     select i.hub_id, i.widget_id, i.widget_version, i.event_type, i.minute, i.events, coalesce(c.n, 0)
     from unnest($1::uuid[], $2::uuid[], $3::int[], $4::text[], $5::timestamptz[], $6::bigint[])
       as i (hub_id, widget_id, widget_version, event_type, minute, events)
     left join counted c using (widget_id, minute, event_type, widget_version)
     on conflict (widget_id, minute, event_type, widget_version) do update
       set events = deployment.interaction_rollups.events + excluded.events,
           sessions = deployment.interaction_rollups.sessions + excluded.sessions`,
    [
      r.map((x) => x.item.hubId),
      r.map((x) => x.item.widgetId),
      r.map((x) => x.item.widgetVersion),
      r.map((x) => x.item.eventType),
      r.map((x) => new Date(x.item.minute)),
      r.map((x) => x.events),
      s.map((x) => x.widgetId),
      s.map((x) => new Date(x.minute)),
      s.map((x) => x.eventType),
      s.map((x) => x.widgetVersion),
      s.map((x) => x.session),
    ],
  );
}

/** The interaction rollup: IHF_EVENTS, every interaction subject. */
export const INTERACTION_FEED: RollupFeed<InteractionItem> = {
  name: 'interactions',
  // Declared in the contracts, so that the bus permissions allow exactly this read.
  stream: ORDERED_READERS.deployment_interaction_rollup.stream,
  filterSubject: ORDERED_READERS.deployment_interaction_rollup.filterSubject,
  parse: parseInteraction,
  apply: applyInteractions,
};
