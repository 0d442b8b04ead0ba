import { type EntityManager } from '@mikro-orm/core';
import { type SubscriptionOrigin, Subjects } from '@ihf/contracts';
import { type Outbox } from '@ihf/messaging';
import { isoRequired } from '@ihf/persistence';
import { type NewSubscriber, SubscriptionRepository } from './subscription.repository.js';

/**
 * Subscribes people in `em`'s transaction and writes `ihf.feedback.candidate.subscribed.v1` for
 * each one not subscribed yet. A function, not a service method: candidate creation (source
 * reporters) and votes call it without depending on the subscriptions module.
 */
export async function subscribeWithEvents(
  em: EntityManager,
  outbox: Outbox,
  candidate: { readonly id: string; readonly hub_id: string },
  subscribers: readonly NewSubscriber[],
  origin: SubscriptionOrigin,
  at: Date,
): Promise<number> {
  const added = await SubscriptionRepository.add(em, candidate, subscribers, origin, at);
  for (const s of added) {
    outbox.add(
      em,
      Subjects.Feedback.CandidateSubscribedV1,
      {
        candidate_id: candidate.id,
        subscriber_kind: s.kind,
        subscriber_id: s.id,
        origin,
        subscribed_at: isoRequired(at),
      },
      { hubId: candidate.hub_id, aggregateId: candidate.id },
    );
  }
  return added.length;
}
