import { type EntityManager } from '@mikro-orm/core';
import {
  type CandidateSnapshotV1,
  type CandidateStatus,
  type FeedbackCandidateCreatedV1,
  type FeedbackCandidateStatusChangedV1,
} from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** What governance knows about a requirement candidate (feedback owns it). */
export interface CandidateFacts {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string | null;
  readonly description: string | null;
  readonly status: CandidateStatus;
  readonly version: number;
  readonly source_widget_id: string | null;
  readonly source_thread_id: string | null;
  readonly source_annotation_id: string | null;
  readonly source_proposal_id: string | null;
  readonly requirement_id: string | null;
}

const COLUMNS = `id, hub_id, title, description, status, version, source_widget_id,
  source_thread_id, source_annotation_id, source_proposal_id, requirement_id`;

/**
 * The `governance.candidates` read model, from feedback's candidate events. Events can arrive
 * in any order: the status applies only from a newer candidate `version`, and the creation
 * fills in the descriptive fields whenever it arrives (a status change may have overtaken it).
 */
export class CandidateReadModel {
  static async find(
    em: EntityManager,
    id: string,
    lock = false,
  ): Promise<CandidateFacts | undefined> {
    return queryOne<CandidateFacts>(
      em,
      `select ${COLUMNS} from governance.candidates where id = ?${lock ? ' for update' : ''}`,
      [id],
    );
  }

  static async applyCreated(
    em: EntityManager,
    hubId: string,
    version: number,
    p: FeedbackCandidateCreatedV1,
  ): Promise<void> {
    await query(
      em,
      `insert into governance.candidates as c (id, hub_id, title, description, status, version,
         source_widget_id, source_thread_id, source_annotation_id, source_proposal_id, created_at)
       values (?, ?, ?, ?, 'open', ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set title = excluded.title,
         description = coalesce(excluded.description, c.description),
         source_widget_id = excluded.source_widget_id,
         source_thread_id = excluded.source_thread_id,
         source_annotation_id = excluded.source_annotation_id,
         source_proposal_id = excluded.source_proposal_id,
         created_at = excluded.created_at, synced_at = now()`,
      [
        p.candidate_id.toLowerCase(),
        hubId.toLowerCase(),
        p.title,
        p.description ?? null,
        version,
        p.source_widget_id.toLowerCase(),
        p.source_thread_id?.toLowerCase() ?? null,
        p.source_annotation_id?.toLowerCase() ?? null,
        p.source_proposal_id?.toLowerCase() ?? null,
        p.created_at,
      ],
    );
  }

  static async applyStatus(
    em: EntityManager,
    hubId: string,
    p: FeedbackCandidateStatusChangedV1,
  ): Promise<void> {
    await query(
      em,
      `insert into governance.candidates as c (id, hub_id, status, version, requirement_id)
       values (?, ?, ?, ?, ?)
       on conflict (id) do update set status = excluded.status, version = excluded.version,
         requirement_id = coalesce(excluded.requirement_id, c.requirement_id), synced_at = now()
       where excluded.version > c.version`,
      [
        p.candidate_id.toLowerCase(),
        hubId.toLowerCase(),
        p.to,
        p.version,
        p.requirement_id?.toLowerCase() ?? null,
      ],
    );
  }

  /** feedback's answer to a look-up: the descriptive fields, and the status if newer. */
  static async applySnapshot(em: EntityManager, c: CandidateSnapshotV1): Promise<void> {
    await query(
      em,
      `insert into governance.candidates as c (id, hub_id, title, description, status, version,
         source_widget_id, source_thread_id, source_annotation_id, source_proposal_id,
         requirement_id, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (id) do update set title = excluded.title,
         description = excluded.description, source_widget_id = excluded.source_widget_id,
         source_thread_id = excluded.source_thread_id,
         source_annotation_id = excluded.source_annotation_id,
         source_proposal_id = excluded.source_proposal_id, created_at = excluded.created_at,
         status = case when excluded.version > c.version then excluded.status else c.status end,
         requirement_id = case when excluded.version > c.version
           then coalesce(excluded.requirement_id, c.requirement_id) else c.requirement_id end,
         version = greatest(c.version, excluded.version), synced_at = now()`,
      [
        c.candidate_id.toLowerCase(),
        c.hub_id.toLowerCase(),
        c.title,
        c.description,
        c.status,
        c.version,
        c.source_widget_id.toLowerCase(),
        c.source_thread_id?.toLowerCase() ?? null,
        c.source_annotation_id?.toLowerCase() ?? null,
        c.source_proposal_id?.toLowerCase() ?? null,
        c.requirement_id?.toLowerCase() ?? null,
        c.created_at,
      ],
    );
  }
}
