import { type EntityManager } from '@mikro-orm/core';
import { type RoleName } from '@ihf/contracts';
import { pgArray, query, queryOne } from '@ihf/persistence';

/** A user who may be told something: where to write to, if anywhere. */
export interface Recipient {
  readonly user_id: string;
  readonly email: string | null;
  readonly name: string | null;
}

/**
 * The read models that say who hears of what, kept from identity's, feedback's and
 * governance's events (each write is idempotent, so a redelivery changes nothing):
 * - `principals`: a user's address, roles, hubs and whether they are deactivated;
 * - `candidates` + `annotations`: who gave the feedback behind a candidate (the reporter of
 *   its source annotation, the authors of its thread's annotations) and who created it;
 * - `requirements`: the candidate a requirement was promoted from.
 */
export class RecipientsRepository {
  static async userCreated(
    em: EntityManager,
    userId: string,
    name: string,
    email: string | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.principals (user_id, name, email) values (?, ?, ?)
       on conflict (user_id) do update set name = excluded.name,
         email = coalesce(excluded.email, notifications.principals.email), updated_at = now()`,
      [userId, name, email?.toLowerCase() ?? null],
    );
  }

  /** membership.changed: the full roles and hubs, applied when not older than what is held. */
  static async membershipChanged(
    em: EntityManager,
    userId: string,
    roles: readonly RoleName[],
    hubIds: readonly string[],
    version: number | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.principals as p (user_id, roles, hub_ids, membership_version)
       values (?, ?::text[], ?::uuid[], ?)
       on conflict (user_id) do update set roles = excluded.roles, hub_ids = excluded.hub_ids,
         membership_version = excluded.membership_version, updated_at = now()
       where p.membership_version is null or excluded.membership_version is null
          or excluded.membership_version >= p.membership_version`,
      [userId, pgArray(roles), pgArray(hubIds.map((h) => h.toLowerCase())), version],
    );
  }

  static async statusChanged(
    em: EntityManager,
    userId: string,
    deactivated: boolean,
    version: number | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.principals as p (user_id, deactivated, status_version)
       values (?, ?, ?)
       on conflict (user_id) do update set deactivated = excluded.deactivated,
         status_version = excluded.status_version, updated_at = now()
       where p.status_version is null or excluded.status_version is null
          or excluded.status_version > p.status_version`,
      [userId, deactivated, version],
    );
  }

  static async candidateCreated(
    em: EntityManager,
    c: {
      id: string;
      hubId: string;
      title: string;
      createdBy: string | null;
      sourceAnnotationId: string | null;
      sourceThreadId: string | null;
    },
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.candidates
         (id, hub_id, title, created_by, source_annotation_id, source_thread_id)
       values (?, ?, ?, ?, ?, ?) on conflict (id) do nothing`,
      [c.id, c.hubId, c.title, c.createdBy, c.sourceAnnotationId, c.sourceThreadId],
    );
  }

  /** An annotation's author (null for anonymous ones) and thread; a later thread change moves it. */
  static async annotation(
    em: EntityManager,
    id: string,
    actorId: string | null,
    threadId: string | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.annotations (id, actor_id, thread_id) values (?, ?, ?)
       on conflict (id) do update set
         actor_id = coalesce(notifications.annotations.actor_id, excluded.actor_id),
         thread_id = coalesce(excluded.thread_id, notifications.annotations.thread_id)`,
      [id, actorId, threadId],
    );
  }

  static async annotationThread(
    em: EntityManager,
    id: string,
    threadId: string | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.annotations (id, thread_id) values (?, ?)
       on conflict (id) do update set thread_id = excluded.thread_id`,
      [id, threadId],
    );
  }

  static async requirementPromoted(
    em: EntityManager,
    requirementId: string,
    hubId: string,
    candidateId: string,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.requirements (id, hub_id, candidate_id) values (?, ?, ?)
       on conflict (id) do nothing`,
      [requirementId, hubId, candidateId],
    );
  }

  static async candidateOfRequirement(
    em: EntityManager,
    requirementId: string,
  ): Promise<string | undefined> {
    const row = await queryOne<{ candidate_id: string }>(
      em,
      'select candidate_id from notifications.requirements where id = ?',
      [requirementId],
    );
    return row?.candidate_id;
  }

  static async candidateTitle(em: EntityManager, candidateId: string): Promise<string | undefined> {
    const row = await queryOne<{ title: string }>(
      em,
      'select title from notifications.candidates where id = ?',
      [candidateId],
    );
    return row?.title;
  }

  /**
   * The people who follow a candidate: who created it, who reported its source annotation,
   * who wrote in its source thread, who subscribed to it. Only known, active users (an
   * anonymous reporter has no inbox).
   */
  static async followers(em: EntityManager, candidateId: string): Promise<Recipient[]> {
    return query<Recipient>(
      em,
      `with c as (select * from notifications.candidates where id = ?),
       ids as (
         select created_by as user_id from c
         union select a.actor_id from notifications.annotations a, c where a.id = c.source_annotation_id
         union select a.actor_id from notifications.annotations a, c where a.thread_id = c.source_thread_id
         union select s.user_id from notifications.candidate_subscribers s, c where s.candidate_id = c.id
       )
       select p.user_id, p.email, p.name from notifications.principals p
       join ids on ids.user_id = p.user_id where not p.deactivated`,
      [candidateId],
    );
  }

  /** The active users with one of `roles` in `hubId` (admins see every hub). */
  static async withRoleInHub(
    em: EntityManager,
    hubId: string,
    roles: readonly RoleName[],
  ): Promise<Recipient[]> {
    return query<Recipient>(
      em,
      `select user_id, email, name from notifications.principals
       where not deactivated and roles && ?::text[] and ?::uuid = any(hub_ids)`,
      [pgArray(roles), hubId.toLowerCase()],
    );
  }

  /** A user subscribed to a candidate (feedback's candidate.subscribed, issue 16a). */
  static async subscribed(em: EntityManager, candidateId: string, userId: string): Promise<void> {
    await query(
      em,
      `insert into notifications.candidate_subscribers (candidate_id, user_id) values (?, ?)
       on conflict do nothing`,
      [candidateId, userId],
    );
  }

  static async unsubscribed(em: EntityManager, candidateId: string, userId: string): Promise<void> {
    await query(
      em,
      'delete from notifications.candidate_subscribers where candidate_id = ? and user_id = ?',
      [candidateId, userId],
    );
  }

  /** A deployment and the requirement it carries (deployment.recorded, issue 13). */
  static async deploymentRecorded(
    em: EntityManager,
    deploymentId: string,
    hubId: string,
    requirementId: string | null,
  ): Promise<void> {
    await query(
      em,
      `insert into notifications.deployments (id, hub_id, requirement_id) values (?, ?, ?)
       on conflict (id) do nothing`,
      [deploymentId, hubId, requirementId],
    );
  }

  /** The candidate behind a deployment (through its requirement), if known. */
  static async candidateOfDeployment(
    em: EntityManager,
    deploymentId: string,
  ): Promise<string | undefined> {
    const row = await queryOne<{ candidate_id: string }>(
      em,
      `select r.candidate_id from notifications.deployments d
       join notifications.requirements r on r.id = d.requirement_id where d.id = ?`,
      [deploymentId],
    );
    return row?.candidate_id;
  }

  static async find(em: EntityManager, userId: string): Promise<Recipient | undefined> {
    return queryOne<Recipient>(
      em,
      'select user_id, email, name from notifications.principals where user_id = ? and not deactivated',
      [userId],
    );
  }
}
