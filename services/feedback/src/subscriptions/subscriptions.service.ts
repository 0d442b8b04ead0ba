import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser } from '@ihf/auth';
import { type SubscriptionOrigin, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { isoRequired } from '@ihf/persistence';
import { type CandidateRow } from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { subscribeWithEvents } from './subscribe-with-events.js';
import {
  type NewSubscriber,
  type SubscriberRow,
  SubscriptionRepository,
} from './subscription.repository.js';

/** Subscribers listed in one answer (the count is always exact). */
export const SUBSCRIBERS_LIST_LIMIT = 500;

/** A caller's subscription state on a candidate. */
export interface SubscriptionView {
  readonly candidate_id: string;
  readonly subscribed: boolean;
  readonly subscriber_count: number;
}

/** A candidate's subscribers. */
export interface SubscribersView {
  readonly candidate_id: string;
  readonly subscriber_count: number;
  readonly items: {
    readonly subscriber_kind: SubscriberRow['subscriber_kind'];
    readonly subscriber_id: string;
    readonly origin: SubscriptionOrigin;
    readonly subscribed_at: string;
    readonly merged_from_candidate_id: string | null;
  }[];
}

/**
 * Who follows a candidate: reporters of its source annotations (from its creation), voters,
 * and hub members who subscribe themselves. Each change writes its event for notifications.
 */
@Injectable()
export class SubscriptionsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
  ) {}

  /** Subscribes people in `em`'s transaction, with a subscribed event per new one. */
  subscribeIn(
    em: EntityManager,
    candidate: { id: string; hub_id: string },
    subscribers: readonly NewSubscriber[],
    origin: SubscriptionOrigin,
  ): Promise<number> {
    return subscribeWithEvents(em, this.outbox, candidate, subscribers, origin, new Date());
  }

  /** The caller follows the candidate (idempotent). */
  async subscribe(user: AuthenticatedUser, candidateId: string): Promise<SubscriptionView> {
    return this.orm.em.fork().transactional(async (em) => {
      const candidate = await this.live(em, user, candidateId);
      await this.subscribeIn(em, candidate, [{ kind: 'user', id: user.id }], 'member');
      return this.view(em, candidate, user);
    });
  }

  /** The caller stops following the candidate (idempotent). */
  async unsubscribe(user: AuthenticatedUser, candidateId: string): Promise<SubscriptionView> {
    return this.orm.em.fork().transactional(async (em) => {
      const candidate = await this.candidates.visible(em, user, candidateId);
      const removed = await SubscriptionRepository.remove(em, candidate.id, {
        kind: 'user',
        id: user.id,
      });
      if (removed) {
        this.outbox.add(
          em,
          Subjects.Feedback.CandidateUnsubscribedV1,
          {
            candidate_id: candidate.id,
            subscriber_kind: 'user',
            subscriber_id: user.id,
            unsubscribed_at: new Date().toISOString(),
          },
          { hubId: candidate.hub_id, aggregateId: candidate.id },
        );
      }
      return this.view(em, candidate, user);
    });
  }

  async mine(user: AuthenticatedUser, candidateId: string): Promise<SubscriptionView> {
    const em = this.orm.em.fork();
    return this.view(em, await this.candidates.visible(em, user, candidateId), user);
  }

  /** Everyone who follows the candidate (triagers: the list names end users' actor ids). */
  async list(user: AuthenticatedUser, candidateId: string): Promise<SubscribersView> {
    return this.orm.em.fork().transactional(
      async (em) => {
        const candidate = await this.candidates.visible(em, user, candidateId);
        const [count, rows] = await Promise.all([
          SubscriptionRepository.count(em, candidate.id),
          SubscriptionRepository.list(em, candidate.id, SUBSCRIBERS_LIST_LIMIT),
        ]);
        return {
          candidate_id: candidate.id,
          subscriber_count: count,
          items: rows.map((r) => ({
            subscriber_kind: r.subscriber_kind,
            subscriber_id: r.subscriber_id,
            origin: r.origin,
            subscribed_at: isoRequired(r.subscribed_at),
            merged_from_candidate_id: r.merged_from_candidate_id,
          })),
        };
      },
      { readOnly: true },
    );
  }

  /**
   * The candidate, locked against a concurrent merge (`FOR SHARE`: subscriptions of different
   * people do not wait for each other), refused when it was merged away.
   */
  private async live(
    em: EntityManager,
    user: AuthenticatedUser,
    candidateId: string,
  ): Promise<CandidateRow> {
    const candidate = await this.candidates.visible(em, user, candidateId, 'share');
    this.candidates.refuseMerged(candidate);
    return candidate;
  }

  private async view(
    em: EntityManager,
    candidate: CandidateRow,
    user: AuthenticatedUser,
  ): Promise<SubscriptionView> {
    const me = { kind: 'user' as const, id: user.id };
    const [subscribed, count] = await Promise.all([
      SubscriptionRepository.isSubscribed(em, candidate.id, me),
      SubscriptionRepository.count(em, candidate.id),
    ]);
    return { candidate_id: candidate.id, subscribed, subscriber_count: count };
  }
}
