import { type EntityManager } from '@mikro-orm/core';
import { type WidgetStatus } from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** What governance knows about a widget (ingestion owns it). */
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
 * The `governance.widgets` read model. Widget events can arrive in any order (several relays,
 * redeliveries): each write applies only when its version is newer than the stored one, and a
 * status change that overtook the registration leaves a row whose name is filled in later.
 */
export class WidgetReadModel {
  static async find(em: EntityManager, id: string): Promise<WidgetFacts | undefined> {
    return queryOne<WidgetFacts>(
      em,
      `select id, hub_id, name, status, version from governance.widgets where id = ?`,
      [id],
    );
  }

  /** Applies a full snapshot; returns whether it changed the model. */
  static async applySnapshot(em: EntityManager, w: WidgetSnapshot): Promise<boolean> {
    const rows = await query<{ id: string }>(
      em,
      `insert into governance.widgets as w (id, hub_id, name, widget_type, status, version)
       values (?, ?, ?, ?, ?, ?)
       on conflict (id) do update set
         hub_id = excluded.hub_id,
         name = case when excluded.version > w.version then excluded.name else coalesce(w.name, excluded.name) end,
         widget_type = case when excluded.version > w.version then excluded.widget_type
                            else coalesce(w.widget_type, excluded.widget_type) end,
         status = case when excluded.version > w.version then excluded.status else w.status end,
         version = greatest(w.version, excluded.version),
         synced_at = now()
       where excluded.version > w.version or w.name is null
       returning id`,
      [w.widget_id, w.hub_id, w.name, w.widget_type, w.status, w.version],
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
      `insert into governance.widgets as w (id, hub_id, status, version) values (?, ?, ?, ?)
       on conflict (id) do update set status = excluded.status, version = excluded.version,
         synced_at = now()
       where excluded.version > w.version
       returning id`,
      [change.widget_id, change.hub_id, change.to, change.version],
    );
    return rows.length > 0;
  }
}
