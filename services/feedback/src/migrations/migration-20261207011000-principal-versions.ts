import { Migration } from '@mikro-orm/migrations';

/**
 * The principal read model applies identity's events by their `aggregate_version` instead of
 * their clocks (equal timestamps and skew broke `as_of` ordering), one version per part so an
 * event about one part never hides a late event about the other: `membership_version` for
 * roles and hubs (user.created, membership.changed), `status_version` for `deactivated_at`
 * (user.deactivated, user.reactivated). `as_of` stays for events published before identity
 * versioned them, and is null on rows that only a status event has created.
 */
export class PrincipalVersions extends Migration {
  override up(): void {
    this.addSql(`alter table "feedback".principals
      add column membership_version int default null,
      add column status_version int default null,
      add column deactivated_at timestamptz default null,
      alter column as_of drop not null`);
  }
}
