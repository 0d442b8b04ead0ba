import { randomUUID } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/core';
import { RequestContext } from '@ihf/observability';
import { versionOfSubject, type EventEnvelope, type PayloadOf, type Subject } from '@ihf/contracts';
import { OutboxMessage } from './messaging.entities.js';

/** Options of one outbox entry. */
export interface OutboxAddOptions {
  /** The hub the fact belongs to (required for hub-scoped subjects). */
  readonly hubId?: string | null;
  /** When the fact happened; defaults to now. */
  readonly occurredAt?: Date;
  /** A chosen event id (e.g. derived from a client id); defaults to a new UUID. */
  readonly eventId?: string;
}

/**
 * Writes events to the service's outbox table through the caller's EntityManager, so that the
 * event is committed with the domain change or not at all. The relay publishes it afterwards.
 * Correlation and causation ids come from the current RequestContext.
 */
export class Outbox {
  constructor(private readonly producer: string) {}

  /** Adds an event; it is written when `em` flushes (inside the caller's transaction). */
  add<S extends Subject>(
    em: EntityManager,
    subject: S,
    payload: PayloadOf<S>,
    options: OutboxAddOptions = {},
  ): EventEnvelope<PayloadOf<S>, S> {
    const context = RequestContext.current();
    const envelope: EventEnvelope<PayloadOf<S>, S> = {
      event_id: options.eventId ?? randomUUID(),
      type: subject,
      version: versionOfSubject(subject),
      occurred_at: (options.occurredAt ?? new Date()).toISOString(),
      producer: this.producer,
      correlation_id: context?.correlationId ?? randomUUID(),
      causation_id: context?.causationId ?? null,
      hub_id: options.hubId ?? null,
      payload,
    };
    em.persist(
      em.create(OutboxMessage, {
        id: envelope.event_id,
        subject,
        envelope: envelope as unknown as Record<string, unknown>,
        createdAt: new Date(),
        attempts: 0,
      }),
    );
    return envelope;
  }
}
