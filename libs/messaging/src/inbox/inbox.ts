import { type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';

/**
 * Records that `consumer` handled event `eventId`, inside the caller's transaction. Returns
 * false when it was already recorded: the caller must then skip the effect (a redelivery).
 * Concurrent deliveries of the same event serialise on the primary key; the loser sees false
 * once the winner commits.
 */
export async function recordInbox(
  em: EntityManager,
  schema: string,
  consumer: string,
  eventId: string,
  subject: string,
): Promise<boolean> {
  const rows = await (em as unknown as SqlEntityManager).execute<{ event_id: string }[]>(
    `insert into "${schema}".inbox (consumer, event_id, subject) values (?, ?, ?)
     on conflict do nothing returning event_id`,
    [consumer, eventId, subject],
  );
  return rows.length === 1;
}

/**
 * Deletes inbox ids older than `retentionMs`. Keep them longer than any stream keeps messages
 * (30 days), so that every possible redelivery is still recognised.
 */
export async function pruneInbox(
  em: EntityManager,
  schema: string,
  retentionMs: number,
): Promise<number> {
  const rows = await (em as unknown as SqlEntityManager).execute<{ event_id: string }[]>(
    `delete from "${schema}".inbox where processed_at < now() - (? * interval '1 millisecond') returning event_id`,
    [retentionMs],
  );
  return rows.length;
}

/** Default inbox retention: 45 days. */
export const INBOX_RETENTION_MS = 45 * 24 * 3600 * 1000;
