import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, canAccessHub } from '@ihf/auth';
import {
  type AnnotationCategory,
  type CandidateStatus,
  SEVERITIES,
  type Severity,
  Subjects,
} from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import {
  ANNOTATION_COLUMNS,
  type AnnotationRow,
  type AnnotationView,
  toAnnotationView,
} from '../annotations/annotation.repository.js';
import { iso, isoRequired, query, queryOne } from '@ihf/persistence';
import {
  candidateCreatedPayload,
  CandidateRepository,
  type CandidateRow,
  type CandidateView,
  type NewCandidate,
  toCandidateView,
} from './candidate.repository.js';
import { subscribeWithEvents } from '../subscriptions/subscribe-with-events.js';
import { SubscriptionRepository } from '../subscriptions/subscription.repository.js';
import {
  CandidateMergedError,
  CandidateNotFoundError,
  CandidateSourceRequiredError,
  InvalidCandidateSourceError,
} from './candidates.errors.js';
import { type CreateCandidateDto } from './dto/candidate.dto.js';

/** Source annotations shown in a candidate's history (the thread's, at most). */
const HISTORY_ANNOTATIONS_LIMIT = 500;

/** The annotation columns, qualified with the alias `a` (for joins). */
const ANNOTATION_COLUMNS_OF_A = ANNOTATION_COLUMNS.split(',')
  .map((column) => `a.${column.trim()}`)
  .join(', ');

/**
 * The reads of a candidate's history (after the candidate itself), each on an index:
 * `triage_states (candidate_id, changed_at)`, `reviewer_assignment_audit (candidate_id,
 * changed_at)`, and the annotation's id, `parent_id` and `thread_id` indexes. Exported for
 * the benchmark.
 */
export const CANDIDATE_HISTORY_SQL = {
  transitions: `select status, from_status, notes, duplicate_of_id, requirement_id, changed_by,
      changed_at from feedback.triage_states where candidate_id = ? order by changed_at, id`,
  assignments: `select reviewer_id, previous_reviewer_id, changed_by, changed_at
      from feedback.reviewer_assignment_audit where candidate_id = ? order by changed_at, id`,
  /** Params: source annotation id (twice), source thread id, limit. */
  sourceAnnotations: `select ${ANNOTATION_COLUMNS} from feedback.annotations
      where id = ? or parent_id = ? or thread_id = ? order by created_at, id limit ?`,
  /**
   * Source annotations of the candidates merged into this one (live merges, followed down
   * chains: C merged into B merged into A gives A the sources of B and C). Params: candidate
   * id, limit.
   */
  mergedSourceAnnotations: `with recursive merged as (
        select m.id as merge_id, m.duplicate_id from feedback.candidate_merges m
        where m.kept_id = ? and m.undone_at is null
        union
        select m.id, m.duplicate_id from feedback.candidate_merges m
        join merged on m.kept_id = merged.duplicate_id where m.undone_at is null)
      select merged.merge_id, merged.duplicate_id as from_candidate_id, ${ANNOTATION_COLUMNS_OF_A}
      from merged join feedback.requirement_candidates d on d.id = merged.duplicate_id
      join feedback.annotations a
        on a.id = d.source_annotation_id or a.parent_id = d.source_annotation_id
        or a.thread_id = d.source_thread_id
      order by a.created_at, a.id limit ?`,
} as const;

/** A source annotation that came with a merged duplicate. */
export interface MergedSourceView {
  readonly merge_id: string;
  readonly from_candidate_id: string;
  readonly annotation: AnnotationView;
}

/** A transition in a candidate's history. */
export interface TransitionView {
  readonly status: CandidateStatus;
  readonly from_status: CandidateStatus | null;
  readonly notes: string | null;
  readonly duplicate_of_id: string | null;
  readonly requirement_id: string | null;
  readonly changed_by: string | null;
  readonly changed_at: string;
}

/** An assignment change in a candidate's history. */
export interface AssignmentChangeView {
  readonly reviewer_id: string;
  readonly previous_reviewer_id: string | null;
  readonly changed_by: string | null;
  readonly changed_at: string;
}

/** Everything that happened to a candidate, in one answer. */
export interface CandidateHistoryView {
  readonly candidate: CandidateView;
  readonly transitions: TransitionView[];
  readonly assignments: AssignmentChangeView[];
  readonly source_annotations: AnnotationView[];
  /** Sources of the duplicates merged into it, with the merge and the candidate they came from. */
  readonly merged_source_annotations: MergedSourceView[];
}

/** Where a candidate comes from, checked. */
interface ResolvedSource {
  readonly hubId: string;
  readonly widgetId: string;
  readonly threadId: string | null;
  readonly annotationId: string | null;
  readonly category: AnnotationCategory;
  readonly severity: Severity;
}

/** Requirement candidates: escalation from annotations and threads, reading, history. */
@Injectable()
export class CandidatesService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
  ) {}

  /** Escalates an annotation or a thread (of a hub the triager belongs to). */
  async create(user: AuthenticatedUser, dto: CreateCandidateDto): Promise<CandidateView> {
    return this.orm.em.fork().transactional(async (em) => {
      const source = await this.resolveSource(
        em,
        dto.source_annotation_id?.toLowerCase() ?? null,
        dto.source_thread_id?.toLowerCase() ?? null,
        (hubId) => canAccessHub(user, hubId),
      );
      const row = await this.insert(em, {
        id: randomUUID(),
        hubId: source.hubId,
        title: dto.title.trim(),
        description: dto.description,
        sourceWidgetId: source.widgetId,
        sourceThreadId: source.threadId,
        sourceAnnotationId: source.annotationId,
        sourceProposalId: null,
        category: dto.category ?? source.category,
        severity: dto.severity ?? source.severity,
        createdBy: user.id,
        createdAt: new Date(),
      });
      // Only a proposal id can collide, and this insert has none.
      return toCandidateView(row as CandidateRow);
    });
  }

  /**
   * Inserts a candidate, its first triage state and its created event in `em`'s transaction;
   * undefined when the same proposal created one already.
   */
  async insert(em: EntityManager, candidate: NewCandidate): Promise<CandidateRow | undefined> {
    const row = await CandidateRepository.insert(em, candidate);
    if (!row) return undefined;
    this.outbox.add(em, Subjects.Feedback.CandidateCreatedV1, candidateCreatedPayload(row), {
      hubId: row.hub_id,
      aggregateId: row.id,
      aggregateVersion: row.version,
    });
    // The people who reported it hear what happens to it (issue 16).
    const reporters = await SubscriptionRepository.sourceReporters(
      em,
      row.source_annotation_id,
      row.source_thread_id,
    );
    await subscribeWithEvents(
      em,
      this.outbox,
      row,
      reporters,
      'source_annotation',
      candidate.createdAt,
    );
    return row;
  }

  async get(user: AuthenticatedUser, id: string): Promise<CandidateView> {
    return toCandidateView(await this.visible(this.orm.em.fork(), user, id));
  }

  /** The candidate, or 404 when it does not exist or is in a hub the caller cannot see. */
  async visible(
    em: EntityManager,
    user: AuthenticatedUser,
    id: string,
    lock: boolean | 'update' | 'share' = false,
  ): Promise<CandidateRow> {
    const row = await CandidateRepository.find(em, id.toLowerCase(), lock);
    if (!row || !canAccessHub(user, row.hub_id)) throw new CandidateNotFoundError(id);
    return row;
  }

  /** 409 for a duplicate that was merged: its votes and followers live on the kept one. */
  refuseMerged(candidate: CandidateRow): void {
    if (candidate.status === 'duplicate' && candidate.duplicate_of_id) {
      throw new CandidateMergedError(candidate.id, candidate.duplicate_of_id);
    }
  }

  /** Transitions, assignment changes and source annotations of a candidate, oldest first. */
  async history(user: AuthenticatedUser, id: string): Promise<CandidateHistoryView> {
    // One snapshot for the four reads, so they agree with each other.
    return this.orm.em.fork().transactional(
      async (em) => {
        const candidate = await this.visible(em, user, id);
        const [transitions, assignments, annotations, merged] = await Promise.all([
          query<{
            status: CandidateStatus;
            from_status: CandidateStatus | null;
            notes: string | null;
            duplicate_of_id: string | null;
            requirement_id: string | null;
            changed_by: string | null;
            changed_at: Date;
          }>(em, CANDIDATE_HISTORY_SQL.transitions, [candidate.id]),
          query<{
            reviewer_id: string;
            previous_reviewer_id: string | null;
            changed_by: string | null;
            changed_at: Date;
          }>(em, CANDIDATE_HISTORY_SQL.assignments, [candidate.id]),
          query<AnnotationRow>(em, CANDIDATE_HISTORY_SQL.sourceAnnotations, [
            candidate.source_annotation_id,
            candidate.source_annotation_id,
            candidate.source_thread_id,
            HISTORY_ANNOTATIONS_LIMIT,
          ]),
          query<AnnotationRow & { merge_id: string; from_candidate_id: string }>(
            em,
            CANDIDATE_HISTORY_SQL.mergedSourceAnnotations,
            [candidate.id, HISTORY_ANNOTATIONS_LIMIT],
          ),
        ]);
        return {
          candidate: toCandidateView(candidate),
          transitions: transitions.map((t) => ({
            ...t,
            changed_at: isoRequired(t.changed_at),
          })),
          assignments: assignments.map((a) => ({
            ...a,
            changed_at: iso(a.changed_at) ?? '',
          })),
          source_annotations: annotations.map(toAnnotationView),
          merged_source_annotations: merged.map((m) => ({
            merge_id: m.merge_id,
            from_candidate_id: m.from_candidate_id,
            annotation: toAnnotationView(m),
          })),
        };
      },
      { readOnly: true },
    );
  }

  /**
   * Checks a candidate's sources: an annotation (not retracted) and/or a thread, on one widget,
   * in a hub `mayUse` accepts. Category and severity default to the source's (the highest
   * severity and the most frequent category of a thread's annotations).
   */
  async resolveSource(
    em: EntityManager,
    annotationId: string | null,
    threadId: string | null,
    mayUse: (hubId: string) => boolean,
  ): Promise<ResolvedSource> {
    if (!annotationId && !threadId) throw new CandidateSourceRequiredError();
    let annotation: AnnotationRow | undefined;
    if (annotationId) {
      annotation = await queryOne<AnnotationRow>(
        em,
        `select ${ANNOTATION_COLUMNS} from feedback.annotations where id = ?`,
        [annotationId],
      );
      if (!annotation || !mayUse(annotation.hub_id)) {
        throw new InvalidCandidateSourceError(`Annotation ${annotationId} does not exist`);
      }
      if (annotation.retracted_at) {
        throw new InvalidCandidateSourceError(`Annotation ${annotationId} was retracted`);
      }
    }
    let thread: { hub_id: string; widget_id: string } | undefined;
    let mix: { category: AnnotationCategory | null; max_rank: number | null } | undefined;
    if (threadId) {
      thread = await queryOne<{ hub_id: string; widget_id: string }>(
        em,
        'select hub_id, widget_id from feedback.annotation_threads where id = ?',
        [threadId],
      );
      if (!thread || !mayUse(thread.hub_id)) {
        throw new InvalidCandidateSourceError(`Thread ${threadId} does not exist`);
      }
      if (annotation && annotation.widget_id !== thread.widget_id) {
        throw new InvalidCandidateSourceError(
          'The annotation and the thread are on different widgets',
        );
      }
      mix = await queryOne(
        em,
        `select mode() within group (order by category) as category,
           max(severity_rank) as max_rank
         from feedback.annotations where thread_id = ? and retracted_at is null`,
        [threadId],
      );
    }
    const hubId = (annotation?.hub_id ?? thread?.hub_id) as string;
    const widgetId = (annotation?.widget_id ?? thread?.widget_id) as string;
    return {
      hubId,
      widgetId,
      threadId,
      annotationId,
      category: annotation?.category ?? mix?.category ?? 'friction',
      severity: annotation?.severity ?? (mix?.max_rank ? SEVERITIES[mix.max_rank - 1] : 'medium'),
    };
  }
}
