import { type EntityManager } from '@mikro-orm/core';
import { type WidgetStatus } from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** What feedback knows about a widget (ingestion owns it). */
export interface WidgetFacts {
  readonly id: string;
  readonly hub_id: string;
  readonly name: string | null;
  readonly status: WidgetStatus;
  readonly version: number;
}

/** A full widget definition at one version (registered, updated, or a look-up answer). */
export interface WidgetSnapshot {
  readonly widget_id: string;
  readonly hub_id: string;
  readonly name: string;
  readonly widget_type: string;
  readonly status: WidgetStatus;
  readonly version: number;
}

/**
 * The `feedback.widgets` read model. Widget events can arrive in any order (several relays,
 * redeliveries). Snapshots (registered, updated, look-up answers) carry every part; status
 * changes carry only the status. Each part therefore keeps the version it comes from and is
 * replaced only by a newer one: a status change must not make a later rename look "older".
 */
export class WidgetReadModel {
  static async find(em: EntityManager, id: string): Promise<WidgetFacts | undefined> {
    return queryOne<WidgetFacts>(
      em,
      `select id, hub_id, name, status, version from feedback.widgets where id = ?`,
      [id],
    );
  }

  /** Applies a full snapshot; returns whether it changed the model. */
  static async applySnapshot(em: EntityManager, w: WidgetSnapshot): Promise<boolean> {
    const rows = await query<{ id: string }>(
      em,
      `insert into feedback.widgets as w
         (id, hub_id, name, widget_type, status, version, details_version, status_version)
       values (?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set
         hub_id = excluded.hub_id,
         name = case when excluded.details_version > coalesce(w.details_version, -1)
                     then excluded.name else w.name end,
         widget_type = case when excluded.details_version > coalesce(w.details_version, -1)
                            then excluded.widget_type else w.widget_type end,
         details_version = greatest(w.details_version, excluded.details_version),
         status = case when excluded.status_version > w.status_version
                       then excluded.status else w.status end,
         status_version = greatest(w.status_version, excluded.status_version),
         version = greatest(w.version, excluded.version),
         synced_at = now()
       where excluded.details_version > coalesce(w.details_version, -1)
          or excluded.status_version > w.status_version
       returning id`,
      [w.widget_id, w.hub_id, w.name, w.widget_type, w.status, w.version, w.version, w.version],
    );
    return rows.length > 0;
  }

  /** Applies a status change at `version`; returns whether it changed the model. */
  static async applyStatus(
    em: EntityManager,
    change: { widget_id: string; hub_id: string; to: WidgetStatus; version: number },
  ): Promise<boolean> {
    const rows = await query<{ id: string }>(
      em,
      `insert into feedback.widgets as w (id, hub_id, status, version, status_version)
       values (?, ?, ?, ?, ?)
       on conflict (id) do update set status = excluded.status,
         status_version = excluded.status_version,
         version = greatest(w.version, excluded.version),
         synced_at = now()
       where excluded.status_version > w.status_version
       returning id`,
      [change.widget_id, change.hub_id, change.to, change.version, change.version],
    );
    return rows.length > 0;
  }
}
