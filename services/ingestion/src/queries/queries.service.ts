import { cursorTimeSql, decodeCursor, type Page, toPage } from '@ihf/platform';
import { Inject, Injectable } from '@nestjs/common';
import { EntityManager } from '@mikro-orm/postgresql';
import { type AuthenticatedUser, assertHubAccess, canAccessHub } from '@ihf/auth';
import { HubsService } from '../hubs/hubs.service.js';
import { WidgetNotFoundError } from '../widgets/widgets.errors.js';
import {
  type Bucket,
  type CountsQueryDto,
  type EventCountView,
  type EventsQueryDto,
  type InteractionEventView,
} from './dto/queries.dto.js';
import { InvalidTimeRangeError } from './queries.errors.js';

interface EventRecord {
  id: string;
  hub_id: string;
  widget_id: string;
  widget_version: number;
  event_type: string;
  actor_id: string | null;
  actor_type: string;
  view_context_ref: string | null;
  metadata: Record<string, unknown>;
  occurred_at: Date | string;
  received_at: Date | string;
}

const DAY_MS = 86_400_000;
const BUCKET_MS: Record<Bucket, number> = { minute: 60_000, hour: 3_600_000, day: DAY_MS };
/** Most buckets one counts query may span. */
const MAX_BUCKETS = 10_000;

function toView(r: EventRecord): InteractionEventView {
  return {
    id: r.id,
    hub_id: r.hub_id,
    widget_id: r.widget_id,
    widget_version: r.widget_version,
    event_type: r.event_type,
    actor_id: r.actor_id,
    actor_type: r.actor_type,
    view_context_ref: r.view_context_ref,
    metadata: r.metadata,
    occurred_at: new Date(r.occurred_at).toISOString(),
    received_at: new Date(r.received_at).toISOString(),
  };
}

function range(from?: string, to?: string): { from: Date; to: Date } {
  const end = to ? new Date(to) : new Date();
  const start = from ? new Date(from) : new Date(end.getTime() - DAY_MS);
  if (Number.isNaN(start.getTime()) || Number.isNaN(end.getTime())) {
    throw new InvalidTimeRangeError('from and to must be times');
  }
  if (start >= end) throw new InvalidTimeRangeError('from must be before to');
  return { from: start, to: end };
}

/**
 * Reads of stored interaction events, for dashboards and outcome measurement. Every query is
 * a range scan of an index: `(widget_id, occurred_at, id) include (event_type)` for a widget,
 * `(hub_id, occurred_at, id)` for a hub; pages continue after `(occurred_at, id)`.
 */
@Injectable()
export class QueriesService {
  constructor(
    @Inject(EntityManager) private readonly em: EntityManager,
    @Inject(HubsService) private readonly hubs: HubsService,
  ) {}

  async widgetEvents(
    user: AuthenticatedUser,
    widgetId: string,
    q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    await this.assertWidgetVisible(user, widgetId);
    return this.events('widget_id', widgetId, q);
  }

  async hubEvents(
    user: AuthenticatedUser,
    hubId: string,
    q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    assertHubAccess(user, hubId);
    await this.hubs.assertExists(hubId);
    return this.events('hub_id', hubId, q);
  }

  async widgetCounts(
    user: AuthenticatedUser,
    widgetId: string,
    q: CountsQueryDto,
  ): Promise<{ bucket: Bucket; from: string; to: string; items: EventCountView[] }> {
    await this.assertWidgetVisible(user, widgetId);
    const { from, to } = range(q.from, q.to);
    const bucket = q.bucket ?? 'hour';
    if ((to.getTime() - from.getTime()) / BUCKET_MS[bucket] > MAX_BUCKETS) {
      throw new InvalidTimeRangeError(`The range spans more than ${MAX_BUCKETS} ${bucket} buckets`);
    }
    const byVersion = q.by_version === true;
    const rows = await this.em.getConnection().execute<
      {
        bucket_start: Date | string;
        event_type: string;
        widget_version?: number;
        count: string;
      }[]
    >(
      `select date_bin(?::interval, occurred_at, timestamptz '2000-01-01T00:00:00Z') as bucket_start,
              event_type${byVersion ? ', widget_version' : ''}, count(*) as count
       from ingestion.interaction_events
       where widget_id = ? and occurred_at >= ? and occurred_at < ?
       group by 1, 2${byVersion ? ', 3' : ''}
       order by 1, 2${byVersion ? ', 3' : ''}`,
      [`1 ${bucket}`, widgetId, from, to],
    );
    return {
      bucket,
      from: from.toISOString(),
      to: to.toISOString(),
      items: rows.map((r) => ({
        bucket_start: new Date(r.bucket_start).toISOString(),
        event_type: r.event_type,
        ...(byVersion ? { widget_version: r.widget_version } : {}),
        count: Number(r.count),
      })),
    };
  }

  private async events(
    column: 'widget_id' | 'hub_id',
    id: string,
    q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    const { from, to } = range(q.from, q.to);
    const limit = q.limit ?? 100;
    const after = decodeCursor(q.cursor);
    const params: unknown[] = [id, from, to];
    let where = `${column} = ? and occurred_at >= ? and occurred_at < ?`;
    if (q.event_type) {
      where += ' and event_type = ?';
      params.push(q.event_type);
    }
    if (after) {
      where += ' and (occurred_at, id) > (?::timestamptz, ?::uuid)';
      params.push(after.at, after.id);
    }
    const rows = await this.em.getConnection().execute<(EventRecord & { cursor_at: string })[]>(
      `select id, hub_id, widget_id, widget_version, event_type, actor_id, actor_type, view_context_ref,
              metadata, occurred_at, received_at, ${cursorTimeSql('occurred_at')} as cursor_at
       from ingestion.interaction_events where ${where} order by occurred_at, id limit ?`,
      [...params, limit + 1],
    );
    return toPage(rows, limit, (r) => ({ at: r.cursor_at, id: r.id }), toView);
  }

  private async assertWidgetVisible(user: AuthenticatedUser, widgetId: string): Promise<void> {
    const [row] = await this.em
      .getConnection()
      .execute<{ hub_id: string }[]>('select hub_id from ingestion.widgets where id = ?', [
        widgetId,
      ]);
    if (!row || !canAccessHub(user, row.hub_id)) throw new WidgetNotFoundError(widgetId);
  }
}
