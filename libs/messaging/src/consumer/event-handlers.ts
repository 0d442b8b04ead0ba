import { type EntityManager } from '@mikro-orm/core';
import { type EventEnvelope, type PayloadOf, type Subject } from '@ihf/contracts';

/**
 * Handles one event inside the consumer's transaction. `em` is that transaction's
 * EntityManager: write through it (and through `Outbox.add(em, …)`) so that the effect, the
 * inbox record and any follow-up events commit together.
 */
export type EventHandler<S extends Subject> = (
  envelope: EventEnvelope<PayloadOf<S>, S>,
  em: EntityManager,
) => Promise<void>;

/** Handlers of one consumer, by subject; the type ties each handler to its payload. */
export type EventHandlers = { [S in Subject]?: EventHandler<S> };
