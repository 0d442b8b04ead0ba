import { randomUUID } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/core';
import { RequestContext, activeTraceCarrier } from '@ihf/observability';
import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import {
  contractFor,
  versionOfSubject,
  type EventEnvelope,
  type PayloadOf,
  type Subject,
} from '@ihf/contracts';
import { OutboxMessage } from './messaging.entities.js';

/** Options of one outbox entry. */
export interface OutboxAddOptions {
  /** The hub the fact belongs to (required for hub-scoped subjects). */
  readonly hubId?: string | null;
  /** When the fact happened; defaults to now. */
  readonly occurredAt?: Date;
  /** A chosen event id (e.g. derived from a client id); defaults to a new UUID. */
  readonly eventId?: string;
  /** The entity the fact is about and its version after the change (see EventEnvelope). */
  readonly aggregateId?: string;
  readonly aggregateVersion?: number;
}

/** Thrown by `Outbox.add` for an event that no consumer could accept; nothing is written. */
export class InvalidEventError extends Error {
  constructor(subject: string, problem: string) {
    super(`Refusing to publish ${subject}: ${problem}`);
    this.name = 'InvalidEventError';
  }
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
    // Checked here, before the commit, so that a bad event fails the producer's request
    // instead of being dead-lettered later by every consumer.
    const contract = contractFor(subject);
    if (!contract) throw new InvalidEventError(subject, 'no contract is registered for it');
    if (contract.hubScoped && !options.hubId)
      throw new InvalidEventError(subject, 'it is hub-scoped and has no hubId');
    const errors = validateSync(plainToInstance(contract.payload, payload), {
      forbidUnknownValues: true,
    });
    if (errors.length) {
      const fields = errors.map(
        (e) => `${e.property} (${Object.keys(e.constraints ?? { nested: 1 }).join(', ')})`,
      );
      throw new InvalidEventError(subject, `invalid payload: ${fields.join('; ')}`);
    }
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
      aggregate_id: options.aggregateId ?? null,
      aggregate_version: options.aggregateVersion ?? null,
      // The producing span's trace context, only when tracing is on (else no field at all).
      ...activeTraceCarrier(),
      payload,
    };
    em.persist(
      em.create(OutboxMessage, {
        id: envelope.event_id,
        subject,
        envelope: envelope as unknown as Record<string, unknown>,
        createdAt: new Date(),
        nextAttemptAt: new Date(),
        attempts: 0,
      }),
    );
    return envelope;
  }
}
