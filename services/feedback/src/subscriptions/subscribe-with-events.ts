import { type EntityManager } from '@mikro-orm/core';
import { type ParticipantKind, type SubscriptionOrigin, Subjects } from '@ihf/contracts';
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

/** A subscription that appeared on or left a candidate without a request of its own. */
export interface SubscriptionChange {
  readonly candidateId: string;
  readonly kind: ParticipantKind;
  readonly id: string;
  readonly origin: SubscriptionOrigin;
  readonly subscribed: boolean;
}

/**
 * Writes subscribed / unsubscribed events for subscriptions a merge or an undo moved, so that a
 * consumer keeping its own list of who follows what (notifications) stays exact.
 */
export function subscriptionMoveEvents(
  em: EntityManager,
  outbox: Outbox,
  hubId: string,
  changes: readonly SubscriptionChange[],
  at: Date,
): void {
  for (const c of changes) {
    const meta = { hubId, aggregateId: c.candidateId };
    if (c.subscribed) {
      outbox.add(
        em,
        Subjects.Feedback.CandidateSubscribedV1,
        {
          candidate_id: c.candidateId,
          subscriber_kind: c.kind,
          subscriber_id: c.id,
          origin: c.origin,
          subscribed_at: isoRequired(at),
        },
        meta,
      );
    } else {
      outbox.add(
        em,
        Subjects.Feedback.CandidateUnsubscribedV1,
        {
          candidate_id: c.candidateId,
          subscriber_kind: c.kind,
          subscriber_id: c.id,
          unsubscribed_at: isoRequired(at),
        },
        meta,
      );
    }
  }
}
