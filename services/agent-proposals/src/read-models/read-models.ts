import { type EntityManager } from '@mikro-orm/core';
import {
  type FeedbackCandidateCreatedV1,
  type FeedbackCandidateStatusChangedV1,
  type WidgetSnapshotV1,
} from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** A candidate as the agents know it from feedback's events. */
export interface CandidateRow {
  id: string;
  hub_id: string;
  title: string;
  description: string;
  category: string;
  severity: string;
  source_widget_id: string | null;
  status: string;
  created_at: Date | string;
}

/** An annotation of a thread whose body is known (from ingestion's annotation.submitted). */
export interface ThreadAnnotation {
  id: string;
  body: string;
  category: string | null;
  severity: string | null;
}

/** A thread with the hub and widget the agents propose for. */
export interface ThreadRow {
  id: string;
  hub_id: string;
  widget_id: string;
  title: string;
}

/**
 * The agents' read models, kept from other services' events in the consumer's transaction
 * (with its inbox record, so a redelivery changes nothing). Annotations are assembled from two
 * streams that may arrive in any order: the body from ingestion, the thread from feedback.
 */
export const ReadModels = {
  /**
   * Serialises the handlers that assemble one annotation (its body and its thread come in two
   * events), read one thread, or compare a hub's candidates: the later one then sees what the
   * earlier one committed (two candidates created at once would otherwise not see each other).
   */
  async lock(
    em: EntityManager,
    what: 'annotation' | 'thread' | 'hub-candidates',
    id: string,
  ): Promise<void> {
    await query(em, `select pg_advisory_xact_lock(hashtextextended(?, 0))`, [
      `agents:${what}:${id}`,
    ]);
  },

  async candidateCreated(
    em: EntityManager,
    hubId: string,
    version: number,
    p: FeedbackCandidateCreatedV1,
  ): Promise<void> {
    await query(
      em,
      `insert into agents.candidates (id, hub_id, title, description, category, severity,
         source_widget_id, source_thread_id, status, version, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, 'open', ?, ?)
       on conflict (id) do nothing`,
      [
        p.candidate_id.toLowerCase(),
        hubId.toLowerCase(),
        p.title,
        p.description ?? '',
        p.category,
        p.severity,
        p.source_widget_id.toLowerCase(),
        p.source_thread_id?.toLowerCase() ?? null,
        version,
        p.created_at,
      ],
    );
  },

  async candidateStatus(em: EntityManager, p: FeedbackCandidateStatusChangedV1): Promise<void> {
    // Only a newer version moves the status (events of one candidate may be redelivered late).
    await query(
      em,
      `update agents.candidates set status = ?, version = ? where id = ? and version < ?`,
      [p.to, p.version, p.candidate_id.toLowerCase(), p.version],
    );
  },

  candidate(em: EntityManager, id: string): Promise<CandidateRow | undefined> {
    return queryOne<CandidateRow>(em, `select * from agents.candidates where id = ?`, [id]);
  },

  async annotationBody(
    em: EntityManager,
    a: {
      id: string;
      hubId: string;
      widgetId: string;
      body: string;
      category: string;
      severity: string;
    },
  ): Promise<string | null> {
    const rows = await query<{ thread_id: string | null }>(
      em,
      `insert into agents.annotations (id, hub_id, widget_id, body, category, severity)
       values (?, ?, ?, ?, ?, ?)
       on conflict (id) do update set hub_id = excluded.hub_id, widget_id = excluded.widget_id,
         body = excluded.body, category = excluded.category, severity = excluded.severity
       returning thread_id`,
      [a.id, a.hubId, a.widgetId, a.body, a.category, a.severity],
    );
    return rows[0]?.thread_id ?? null;
  },

  async annotationThread(
    em: EntityManager,
    a: { id: string; hubId: string; widgetId: string; threadId: string | null },
  ): Promise<void> {
    await query(
      em,
      `insert into agents.annotations (id, hub_id, widget_id, thread_id) values (?, ?, ?, ?)
       on conflict (id) do update set thread_id = excluded.thread_id`,
      [a.id, a.hubId, a.widgetId, a.threadId],
    );
  },

  async annotationRetracted(em: EntityManager, id: string): Promise<string | null> {
    const rows = await query<{ thread_id: string | null }>(
      em,
      `update agents.annotations set retracted = true where id = ? returning thread_id`,
      [id],
    );
    return rows[0]?.thread_id ?? null;
  },

  async thread(em: EntityManager, t: ThreadRow): Promise<void> {
    await query(
      em,
      `insert into agents.threads (id, hub_id, widget_id, title) values (?, ?, ?, ?)
       on conflict (id) do update set title = excluded.title`,
      [t.id, t.hub_id, t.widget_id, t.title],
    );
  },

  findThread(em: EntityManager, id: string): Promise<ThreadRow | undefined> {
    return queryOne<ThreadRow>(em, `select * from agents.threads where id = ?`, [id]);
  },

  /** The thread's annotations with a known body, oldest first. */
  threadAnnotations(em: EntityManager, threadId: string): Promise<ThreadAnnotation[]> {
    return query<ThreadAnnotation>(
      em,
      `select id, body, category, severity from agents.annotations
        where thread_id = ? and body is not null and not retracted
        order by created_at, id limit 200`,
      [threadId],
    );
  },

  async widget(em: EntityManager, w: WidgetSnapshotV1): Promise<void> {
    await query(
      em,
      `insert into agents.widgets (id, hub_id, name, policy_scope, version) values (?, ?, ?, ?, ?)
       on conflict (id) do update set name = excluded.name, policy_scope = excluded.policy_scope,
         version = excluded.version where agents.widgets.version < excluded.version`,
      [w.widget_id.toLowerCase(), w.hub_id.toLowerCase(), w.name, w.policy_scope, w.version],
    );
  },

  widgetPolicyScope(
    em: EntityManager,
    id: string,
  ): Promise<{ policy_scope: string | null } | undefined> {
    return queryOne(em, `select policy_scope from agents.widgets where id = ?`, [id]);
  },
};
