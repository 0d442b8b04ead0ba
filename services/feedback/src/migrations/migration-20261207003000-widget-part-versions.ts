import { Migration } from '@mikro-orm/migrations';

/**
 * The widget read model keeps the version of each part it stores: a status change bumps the
 * widget's version without carrying its name, so one version for the whole row let a late
 * registration's name stand after a newer rename had been refused as "older" (issue 22.5).
 *
 * - `details_version`: the version of the snapshot `name` and `widget_type` come from (null
 *   while only a status change is known).
 * - `status_version`: the version `status` comes from.
 * - `version` stays the newest version seen of either part.
 *
 * Existing rows cannot tell which version their name came from: `details_version` starts at 0,
 * so the next snapshot of any version (re)writes the name, which is what heals a stale one.
 */
export class WidgetPartVersions extends Migration {
  override up(): void {
    this.addSql(`alter table "feedback".widgets
      add column details_version int,
      add column status_version int not null default 0`);
    this.addSql(`update "feedback".widgets
      set status_version = version,
          details_version = case when name is null then null else 0 end`);
  }
}
