import { type EntityManager } from '@mikro-orm/core';
import { assertSchemaName, query } from '@ihf/persistence';
import { hasSqlState } from '@ihf/observability';

/**
 * SQL creating the table of consumer handler failures in a service's schema, for a migration
 * of every service that runs consumers (`for (const sql of consumerFailuresSql('feedback'))
 * this.addSql(sql)`). Like `messagingTablesSql`, its SQL must not change once released.
 *
 * JetStream's delivery count also counts redeliveries that were not the message's fault (naks
 * while the database was down, naks at shutdown, ack-wait expiries), so the dead-letter limit
 * is checked against this count of real handler failures instead.
 */
export function consumerFailuresSql(schema: string): string[] {
  assertSchemaName(schema);
  const s = `"${schema}"`;
  return [
    `create table ${s}.consumer_failures (
      consumer text not null,
      event_id uuid not null,
      failures int not null,
      last_error text not null,
      first_failed_at timestamptz not null default now(),
      last_failed_at timestamptz not null default now(),
      primary key (consumer, event_id)
    )`,
    `create index consumer_failures_last_failed_at_idx on ${s}.consumer_failures (last_failed_at)`,
  ];
}

/** Counts one real handler failure of `eventId` (its own statement); returns the count so far. */
export async function recordConsumerFailure(
  em: EntityManager,
  schema: string,
  consumer: string,
  eventId: string,
  error: string,
): Promise<number> {
  const rows = await query<{ failures: number }>(
    em,
    `insert into "${schema}".consumer_failures as f (consumer, event_id, failures, last_error)
     values (?, ?, 1, ?)
     on conflict (consumer, event_id) do update
       set failures = f.failures + 1, last_error = excluded.last_error, last_failed_at = now()
     returning failures`,
    [consumer, eventId, error.slice(0, 2000)],
  );
  return rows[0].failures;
}

/** Forgets the failures of `eventId` (handled, or dead-lettered: a replay starts afresh). */
export async function clearConsumerFailures(
  em: EntityManager,
  schema: string,
  consumer: string,
  eventId: string,
): Promise<void> {
  await query(em, `delete from "${schema}".consumer_failures where consumer = ? and event_id = ?`, [
    consumer,
    eventId,
  ]);
}

/** Deletes failure counts not touched for `retentionMs` (their messages left the stream). */
export async function pruneConsumerFailures(
  em: EntityManager,
  schema: string,
  retentionMs: number,
): Promise<number> {
  const rows = await query<{ event_id: string }>(
    em,
    `delete from "${schema}".consumer_failures
     where last_failed_at < now() - (? * interval '1 millisecond') returning event_id`,
    [retentionMs],
  );
  return rows.length;
}

/** A statement cancelled by `statement_timeout` (or by an operator): SQLSTATE 57014. */
export function isStatementTimeout(error: unknown): boolean {
  return hasSqlState(error, STATEMENT_TIMEOUT);
}
const STATEMENT_TIMEOUT: ReadonlySet<string> = new Set(['57014']);
