import { Migration } from '@mikro-orm/migrations';

/**
 * Users get `version` (the `aggregate_version` of their events, bumped in the transaction of
 * each change that emits one, so consumers order them without trusting clocks) and
 * `sessions_valid_after` (password change, deactivation and sign-out everywhere set it; a
 * refresh token issued before it is refused even if a revocation missed it).
 */
export class UserVersionSessions extends Migration {
  override up(): void {
    this.addSql(`alter table "identity".users
      add column version int not null default 1,
      add column sessions_valid_after timestamptz default null,
      add constraint users_version_positive check (version >= 1)`);
  }
}
