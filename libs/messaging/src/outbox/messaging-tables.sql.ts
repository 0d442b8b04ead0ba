import { assertSchemaName } from '@ihf/persistence';

/** Postgres identifiers, NOTIFY channels included, are cut at 63 bytes. */
export function assertChannelName(channel: string): void {
  if (Buffer.byteLength(channel) > 63) {
    throw new Error(
      `NOTIFY channel '${channel}' is longer than 63 bytes: use a shorter schema or table name`,
    );
  }
}

/** The NOTIFY channel a schema's outbox signals new rows on. */
export function outboxChannel(schema: string): string {
  return `ihf_outbox_${schema}`;
}

/**
 * SQL creating the outbox and inbox tables in a service's schema, for the service's first
 * migration (`for (const sql of messagingTablesSql('feedback')) this.addSql(sql)`).
 * A statement-level trigger NOTIFYs the relay once per inserting transaction (delivered at
 * commit), so relaying is immediate without polling; the relay still polls slowly as a
 * fallback for lost notifications.
 *
 * Migrations call this once and keep what it produced: from the first release on, its SQL
 * must not change; a later change to these tables ships as a new, separate upgrade function
 * that services call from a new migration.
 */
export function messagingTablesSql(schema: string): string[] {
  assertSchemaName(schema);
  assertChannelName(outboxChannel(schema));
  const s = `"${schema}"`;
  return [
    `create table ${s}.outbox (
      id uuid primary key,
      seq bigint generated always as identity,
      subject text not null,
      envelope jsonb not null,
      created_at timestamptz not null default now(),
      published_at timestamptz,
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text
    )`,
    `create index outbox_pending_idx on ${s}.outbox (seq) where published_at is null`,
    `create index outbox_published_at_idx on ${s}.outbox (published_at) where published_at is not null`,
    `create function ${s}.outbox_notify() returns trigger language plpgsql as $$
     begin
       perform pg_notify('${outboxChannel(schema)}', '');
       return null;
     end $$`,
    `create trigger outbox_notify after insert on ${s}.outbox
       for each statement execute function ${s}.outbox_notify()`,
    `create table ${s}.inbox (
      consumer text not null,
      event_id uuid not null,
      subject text not null,
      processed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`,
    `create index inbox_processed_at_idx on ${s}.inbox (processed_at)`,
  ];
}
