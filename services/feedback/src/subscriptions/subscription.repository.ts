import { type EntityManager } from '@mikro-orm/core';
import { type ParticipantKind, type SubscriptionOrigin } from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** A row of `feedback.candidate_subscribers`. */
export interface SubscriberRow {
  readonly subscriber_kind: ParticipantKind;
  readonly subscriber_id: string;
  readonly origin: SubscriptionOrigin;
  readonly subscribed_at: Date;
  /** The merge that brought the subscription here from a duplicate, if any. */
  readonly merge_id: string | null;
  readonly merged_from_candidate_id: string | null;
}

/** Someone to subscribe. */
export interface NewSubscriber {
  readonly kind: ParticipantKind;
  readonly id: string;
}

/** SQL access to the people who follow a candidate. */
export class SubscriptionRepository {
  /** Adds the subscribers who are not there yet; returns those added. */
  static async add(
    em: EntityManager,
    candidate: { id: string; hub_id: string },
    subscribers: readonly NewSubscriber[],
    origin: SubscriptionOrigin,
    at: Date,
  ): Promise<NewSubscriber[]> {
    if (subscribers.length === 0) return [];
    const rows = await query<{ subscriber_kind: ParticipantKind; subscriber_id: string }>(
      em,
      `insert into feedback.candidate_subscribers
         (candidate_id, subscriber_kind, subscriber_id, hub_id, origin, subscribed_at)
       select ?, s.kind, s.id, ?, ?, ? from unnest(?::text[], ?::uuid[]) as s(kind, id)
       on conflict do nothing returning subscriber_kind, subscriber_id`,
      [
        candidate.id,
        candidate.hub_id,
        origin,
        at,
        `{${subscribers.map((s) => s.kind).join(',')}}`,
        `{${subscribers.map((s) => s.id).join(',')}}`,
      ],
    );
    return rows.map((r) => ({ kind: r.subscriber_kind, id: r.subscriber_id }));
  }

  /** Removes one subscriber; whether there was one. */
  static async remove(
    em: EntityManager,
    candidateId: string,
    subscriber: NewSubscriber,
  ): Promise<boolean> {
    const rows = await query(
      em,
      `delete from feedback.candidate_subscribers
       where candidate_id = ? and subscriber_kind = ? and subscriber_id = ? returning 1`,
      [candidateId, subscriber.kind, subscriber.id],
    );
    return rows.length > 0;
  }

  /**
   * The reporters of a candidate's source annotations (the annotation, its replies, its
   * thread's): people who wrote them, not agents or systems. An annotation made over the API
   * was written by a hub user; one from ingestion by an end user of the site (a reporter).
   */
  static async sourceReporters(
    em: EntityManager,
    annotationId: string | null,
    threadId: string | null,
  ): Promise<NewSubscriber[]> {
    if (!annotationId && !threadId) return [];
    const rows = await query<{ kind: ParticipantKind; id: string }>(
      em,
      `select distinct case when a.source = 'api' then 'user' else 'reporter' end as kind,
         a.actor_id as id
       from feedback.annotations a
       where (a.id = ? or a.parent_id = ? or a.thread_id = ?)
         and a.actor_id is not null and a.actor_type = 'user' and a.retracted_at is null`,
      [annotationId, annotationId, threadId],
    );
    return rows;
  }

  static async count(em: EntityManager, candidateId: string): Promise<number> {
    const row = await queryOne<{ n: number }>(
      em,
      'select count(*)::int as n from feedback.candidate_subscribers where candidate_id = ?',
      [candidateId],
    );
    return row?.n ?? 0;
  }

  static async isSubscribed(
    em: EntityManager,
    candidateId: string,
    subscriber: NewSubscriber,
  ): Promise<boolean> {
    const row = await queryOne(
      em,
      `select 1 from feedback.candidate_subscribers
       where candidate_id = ? and subscriber_kind = ? and subscriber_id = ?`,
      [candidateId, subscriber.kind, subscriber.id],
    );
    return row !== undefined;
  }

  /** The first `limit` subscribers, oldest first, with where merged ones came from. */
  static async list(
    em: EntityManager,
    candidateId: string,
    limit: number,
  ): Promise<SubscriberRow[]> {
    return query<SubscriberRow>(
      em,
      `select s.subscriber_kind, s.subscriber_id, s.origin, s.subscribed_at, s.merge_id,
         m.duplicate_id as merged_from_candidate_id
       from feedback.candidate_subscribers s
       left join feedback.candidate_merges m on m.id = s.merge_id
       where s.candidate_id = ? order by s.subscribed_at, s.subscriber_kind, s.subscriber_id
       limit ?`,
      [candidateId, limit],
    );
  }
}
