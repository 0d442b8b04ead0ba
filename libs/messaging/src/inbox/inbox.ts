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
