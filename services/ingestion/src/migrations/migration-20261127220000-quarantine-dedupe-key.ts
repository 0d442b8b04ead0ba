import { Migration } from '@mikro-orm/migrations';

const S = '"ingestion"';

/**
 * A retried batch quarantines each refusal once, also for events without a usable client id:
 * those are recognised by the SHA-256 of their raw JSON (`dedupe_key`), the others by their id.
 */
export class QuarantineDedupeKey extends Migration {
  override up(): void {
    this.addSql(`alter table ${S}.quarantined_events add column dedupe_key text`);
    this.addSql(`update ${S}.quarantined_events
      set dedupe_key = coalesce(event_id::text, encode(sha256(convert_to(raw::text, 'UTF8')), 'hex'))`);
    this.addSql(`alter table ${S}.quarantined_events alter column dedupe_key set not null`);
    this.addSql(`drop index ${S}.quarantined_events_once`);
    this.addSql(`create unique index quarantined_events_once
      on ${S}.quarantined_events (hub_id, dedupe_key, rule_id) where replayed_at is null`);
  }
}
