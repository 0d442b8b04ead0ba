import { defineEntity, p } from '@mikro-orm/core';

/**
 * An event waiting in (or already relayed from) a service's outbox. Written by `Outbox.add`
 * in the same transaction as the domain change it describes. The table is created by the SQL
 * from `messagingTablesSql()` in the service's migrations.
 */
export const OutboxMessage = defineEntity({
  name: 'OutboxMessage',
  tableName: 'outbox',
  properties: {
    id: p.uuid().primary(),
    subject: p.string(),
    envelope: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().fieldName('created_at'),
    publishedAt: p.datetime().nullable().fieldName('published_at'),
    attempts: p.integer().default(0),
    nextAttemptAt: p.datetime().fieldName('next_attempt_at'),
    lastError: p.text().nullable().fieldName('last_error'),
  },
});

/**
 * The ids of events a consumer has already handled: inserted in the same transaction as the
 * handler's effect, so a redelivery is recognised and changes nothing.
 */
export const InboxMessage = defineEntity({
  name: 'InboxMessage',
  tableName: 'inbox',
  properties: {
    consumer: p.string().primary(),
    eventId: p.uuid().primary().fieldName('event_id'),
    subject: p.string(),
    processedAt: p.datetime().fieldName('processed_at'),
  },
});

/** Entities a service adds to its ORM entities to use the outbox and inbox. */
export const MESSAGING_ENTITIES = [OutboxMessage, InboxMessage];
