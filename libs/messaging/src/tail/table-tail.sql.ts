import { assertSchemaName } from '@ihf/persistence';
import { assertChannelName } from '../outbox/messaging-tables.sql.js';

/** The NOTIFY channel of a tailed table. */
export function tailChannel(schema: string, table: string): string {
  return `ihf_tail_${schema}_${table}`;
}

/**
 * SQL that makes an append-only table its own outbox, for a migration of the owning service:
 * every row records the id of the transaction that wrote it (`tx_id xid8`) and an insertion
 * sequence (`tail_seq`); a cursor table remembers how far the relay got; a statement-level
 * trigger NOTIFYs the relay at commit. See `TableTailRelay` for why both columns are needed.
 *
 * Migrations call this once and keep what it produced: from the first release on, its SQL
 * must not change; a later change to these tables ships as a new, separate upgrade function
 * that services call from a new migration.
 */
export function tableTailSql(schema: string, table: string): string[] {
  assertSchemaName(schema);
  assertSchemaName(table);
  assertChannelName(tailChannel(schema, table));
  // Index and function names derive from the table name; keep them within 63 bytes too.
  if (table.length > 48) throw new Error(`Table name '${table}' is too long to be tailed (max 48)`);
  const t = `"${schema}"."${table}"`;
  return [
    `alter table ${t} add column tx_id xid8 not null default pg_current_xact_id()`,
    `alter table ${t} add column tail_seq bigint generated always as identity`,
    `create index ${table}_tail_idx on ${t} (tx_id, tail_seq)`,
    `create table if not exists "${schema}".relay_cursors (
      name text primary key,
      tx_id xid8 not null,
      seq bigint not null,
      updated_at timestamptz not null default now()
    )`,
    `create table if not exists "${schema}".relay_failures (
      name text not null,
      row_key text not null,
      error text not null,
      failed_at timestamptz not null default now()
    )`,
    `create function "${schema}".${table}_tail_notify() returns trigger language plpgsql as $$
     begin
       perform pg_notify('${tailChannel(schema, table)}', '');
       return null;
     end $$`,
    `create trigger ${table}_tail_notify after insert on ${t}
       for each statement execute function "${schema}".${table}_tail_notify()`,
  ];
}

/** The transaction setting with which a writer says it wakes the relay itself (no NOTIFY). */
export const TAIL_WOKEN_LOCALLY = 'ihf.tail_woken_locally';

/**
 * Upgrade of a tailed table's NOTIFY trigger (for a new migration; `tableTailSql` stays as it
 * was): a transaction that set `ihf.tail_woken_locally = on` (`set local`) sends no
 * notification. Postgres serialises every committing transaction that notifies, cluster-wide
 * and through its WAL flush, so a writer in the process whose relay leads the table wakes that
 * relay directly instead (`TableTails.wake`); writers elsewhere still notify.
 */
export function tableTailLocalWakeSql(schema: string, table: string): string[] {
  assertSchemaName(schema);
  assertSchemaName(table);
  return [
    `create or replace function "${schema}".${table}_tail_notify() returns trigger language plpgsql as $$
     begin
       if coalesce(current_setting('${TAIL_WOKEN_LOCALLY}', true), '') <> 'on' then
         perform pg_notify('${tailChannel(schema, table)}', '');
       end if;
       return null;
     end $$`,
  ];
}
