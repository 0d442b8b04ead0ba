import { type EntityManager } from '@mikro-orm/core';
import {
  type AnnotationCategory,
  type CandidateStatus,
  type FeedbackCandidateCreatedV1,
  type Severity,
} from '@ihf/contracts';
import { iso, isoRequired, query, queryOne } from '@ihf/persistence';
import { allowedTransitions } from '../triage/triage-workflow.js';

/** A row of `feedback.requirement_candidates` with its current reviewer. */
export interface CandidateRow {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly description: string;
  readonly source_widget_id: string;
  readonly source_thread_id: string | null;
  readonly source_annotation_id: string | null;
  readonly source_proposal_id: string | null;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly severity_rank: number;
  readonly status: CandidateStatus;
  readonly duplicate_of_id: string | null;
  readonly requirement_id: string | null;
  readonly reviewer_id: string | null;
  readonly version: number;
  readonly created_by: string | null;
  readonly created_at: Date;
  readonly updated_at: Date;
}

/** A candidate on the wire. */
export interface CandidateView {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly description: string;
  readonly source_widget_id: string;
  readonly source_thread_id: string | null;
  readonly source_annotation_id: string | null;
  readonly source_proposal_id: string | null;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly status: CandidateStatus;
  /** Where a person may move it from here. */
  readonly allowed_transitions: CandidateStatus[];
  readonly duplicate_of_id: string | null;
  readonly requirement_id: string | null;
  readonly reviewer_id: string | null;
  /** Incremented by every change; send it back as `expected_version` to detect races. */
  readonly version: number;
  readonly created_by: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export const CANDIDATE_COLUMNS = `c.id, c.hub_id, c.title, c.description, c.source_widget_id,
  c.source_thread_id, c.source_annotation_id, c.source_proposal_id, c.category, c.severity,
  c.severity_rank, c.status, c.duplicate_of_id, c.requirement_id,
  (select ra.user_id from feedback.reviewer_assignments ra where ra.candidate_id = c.id) as reviewer_id,
  c.version, c.created_by, c.created_at, c.updated_at`;

export function toCandidateView(r: CandidateRow): CandidateView {
  return {
    id: r.id,
    hub_id: r.hub_id,
    title: r.title,
    description: r.description,
    source_widget_id: r.source_widget_id,
    source_thread_id: r.source_thread_id,
    source_annotation_id: r.source_annotation_id,
    source_proposal_id: r.source_proposal_id,
    category: r.category,
    severity: r.severity,
    status: r.status,
    allowed_transitions: allowedTransitions(r.status),
    duplicate_of_id: r.duplicate_of_id,
    requirement_id: r.requirement_id,
    reviewer_id: r.reviewer_id,
    version: r.version,
    created_by: r.created_by,
    created_at: isoRequired(r.created_at),
    updated_at: iso(r.updated_at) ?? isoRequired(r.created_at),
  };
}

/** What creating a candidate takes. */
export interface NewCandidate {
  readonly id: string;
  readonly hubId: string;
  readonly title: string;
  readonly description: string;
  readonly sourceWidgetId: string;
  readonly sourceThreadId: string | null;
  readonly sourceAnnotationId: string | null;
  readonly sourceProposalId: string | null;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
  readonly createdBy: string | null;
  readonly createdAt: Date;
}

/** One row of the append-only `triage_states` audit. */
export interface TriageStateInsert {
  readonly candidateId: string;
  readonly status: CandidateStatus;
  readonly fromStatus: CandidateStatus | null;
  readonly notes: string | null;
  readonly duplicateOfId: string | null;
  readonly requirementId: string | null;
  readonly changedBy: string | null;
  readonly changedAt: Date;
}

/** SQL access to candidates and their triage audit. */
export class CandidateRepository {
  /**
   * The candidate; `lock` true (or 'update') takes `FOR UPDATE`, 'share' takes `FOR SHARE`
   * (votes and subscriptions: they wait for a merge, not for each other).
   */
  static async find(
    em: EntityManager,
    id: string,
    lock: boolean | 'update' | 'share' = false,
  ): Promise<CandidateRow | undefined> {
    const clause = lock === 'share' ? ' for share of c' : lock ? ' for update of c' : '';
    return queryOne<CandidateRow>(
      em,
      `select ${CANDIDATE_COLUMNS} from feedback.requirement_candidates c where c.id = ?${clause}`,
      [id],
    );
  }

  /**
   * Locks the candidates (`FOR UPDATE`) in id order. Marking X a duplicate of Y reads Y's
   * status; with only X locked, "X duplicates Y" and "Y duplicates X" could both commit. Both
   * sides locked in one order serialise the two, and the second sees the first's result.
   */
  static async lockInOrder(em: EntityManager, ids: readonly string[]): Promise<void> {
    const sorted = [...new Set(ids.map((id) => id.toLowerCase()))].sort();
    await query(
      em,
      `select id from feedback.requirement_candidates where id = any(?::uuid[])
       order by id for update`,
      [`{${sorted.join(',')}}`],
    );
  }

  /** Inserts the candidate and its first audit row; undefined when the proposal made one already. */
  static async insert(em: EntityManager, c: NewCandidate): Promise<CandidateRow | undefined> {
    const inserted = await query<{ id: string }>(
      em,
      `insert into feedback.requirement_candidates (id, hub_id, title, description,
         source_widget_id, source_thread_id, source_annotation_id, source_proposal_id, category,
         severity, created_by, created_at, updated_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
       on conflict (source_proposal_id) do nothing returning id`,
      [
        c.id,
        c.hubId,
        c.title,
        c.description,
        c.sourceWidgetId,
        c.sourceThreadId,
        c.sourceAnnotationId,
        c.sourceProposalId,
        c.category,
        c.severity,
        c.createdBy,
        c.createdAt,
        c.createdAt,
      ],
    );
    if (inserted.length === 0) return undefined;
    await this.appendState(em, {
      candidateId: c.id,
      status: 'open',
      fromStatus: null,
      notes: null,
      duplicateOfId: null,
      requirementId: null,
      changedBy: c.createdBy,
      changedAt: c.createdAt,
    });
    return this.find(em, c.id);
  }

  /**
   * Moves a candidate from `from` (its status when locked) and bumps its version; returns the
   * new row. The `status = from` guard keeps this correct even without the row lock.
   */
  static async updateStatus(
    em: EntityManager,
    id: string,
    from: CandidateStatus,
    to: CandidateStatus,
    fields: { duplicateOfId: string | null; requirementId: string | null; at: Date },
  ): Promise<CandidateRow | undefined> {
    const rows = await query<{ id: string }>(
      em,
      `update feedback.requirement_candidates set status = ?,
         duplicate_of_id = coalesce(?, duplicate_of_id), requirement_id = coalesce(?, requirement_id),
         version = version + 1, updated_at = ?
       where id = ? and status = ? returning id`,
      [to, fields.duplicateOfId, fields.requirementId, fields.at, id, from],
    );
    if (rows.length === 0) return undefined;
    return this.find(em, id);
  }

  static async appendState(em: EntityManager, s: TriageStateInsert): Promise<void> {
    await query(
      em,
      `insert into feedback.triage_states (candidate_id, status, from_status, notes,
         duplicate_of_id, requirement_id, changed_by, changed_at)
       values (?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        s.candidateId,
        s.status,
        s.fromStatus,
        s.notes,
        s.duplicateOfId,
        s.requirementId,
        s.changedBy,
        s.changedAt,
      ],
    );
  }

  /**
   * Takes a merged duplicate back to its status before the merge (an undo); returns its new
   * version. The one move out of `duplicate`, outside the workflow table on purpose.
   */
  static async restoreFromDuplicate(
    em: EntityManager,
    id: string,
    status: CandidateStatus,
    at: Date,
  ): Promise<number> {
    const row = await queryOne<{ version: number }>(
      em,
      `update feedback.requirement_candidates set status = ?, duplicate_of_id = null,
         version = version + 1, updated_at = ?
       where id = ? and status = 'duplicate' returning version`,
      [status, at, id],
    );
    if (!row) throw new Error(`candidate ${id} is not a duplicate`);
    return row.version;
  }

  static async bumpVersion(em: EntityManager, id: string, at: Date): Promise<void> {
    await query(
      em,
      'update feedback.requirement_candidates set version = version + 1, updated_at = ? where id = ?',
      [at, id],
    );
  }
}

/** The payload of `ihf.feedback.candidate.created.v1`. */
export function candidateCreatedPayload(r: CandidateRow): FeedbackCandidateCreatedV1 {
  return {
    candidate_id: r.id,
    title: r.title,
    description: r.description,
    category: r.category,
    severity: r.severity,
    source_widget_id: r.source_widget_id,
    source_thread_id: r.source_thread_id,
    source_annotation_id: r.source_annotation_id,
    source_proposal_id: r.source_proposal_id,
    created_by: r.created_by,
    created_at: isoRequired(r.created_at),
  };
}
