import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import {
  type AuthenticatedUser,
  assertHubAccess,
  canAccessHub,
  hubScopeCondition,
} from '@ihf/auth';
import { type ProposalKind, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { hasSqlState } from '@ihf/observability';
import { query } from '@ihf/persistence';
import { decodeCursor, encodeCursor } from '@ihf/platform';
import { reviewsHub } from '../common/roles.js';
import {
  type ListProposalsQuery,
  type ProposalPageView,
  type ProposalView,
  type ReviewProposalDto,
  type SubmitProposalDto,
} from './dto/proposal.dto.js';
import {
  acceptedPayload,
  detailsErrors,
  detailsFor,
  type ProposalDetails,
  type ProposalSources,
  type StatedDetails,
} from './proposal-details.js';
import { ProposalWriter } from './proposal-writer.js';
import {
  type DimensionRow,
  PROPOSAL_COLUMNS,
  ProposalRepository,
  type ProposalRow,
  type ReviewRow,
} from './proposal.repository.js';
import {
  AgentTokenRequiredError,
  ProposalDetailsInvalidError,
  ProposalNotFoundError,
  ProposalNotPendingError,
  ReviewEditInvalidError,
  ReviewerRequiredError,
} from './proposals.errors.js';

/** A proposal as the API shows it. */
export function proposalView(
  p: ProposalRow,
  dimensions: readonly DimensionRow[],
  review: ReviewRow | undefined,
): ProposalView {
  return {
    id: p.id,
    hub_id: p.hub_id,
    kind: p.proposal_type,
    origin: p.origin,
    agent: p.agent,
    model_ref: p.model_ref,
    confidence: Number(p.confidence),
    status: p.status,
    source_widget_id: p.source_widget_id,
    source_candidate_id: p.source_candidate_id,
    source_thread_id: p.source_thread_id,
    source_decision_id: p.source_decision_id,
    source_requirement_id: p.source_requirement_id,
    content: p.content,
    details: p.details,
    confidence_dimensions: dimensions.map((d) => ({
      dimension: d.dimension,
      score: Number(d.score),
      explanation: d.explanation,
    })),
    superseded_by_id: p.superseded_by_id,
    review: review
      ? {
          decision: review.decision,
          reviewer_id: review.reviewer_id,
          notes: review.notes,
          modified_content: review.modified_content,
          modified_details: review.modified_details as Record<string, unknown> | null,
          reviewed_at: new Date(review.reviewed_at).toISOString(),
        }
      : null,
    created_at: new Date(p.created_at).toISOString(),
  };
}

const sourcesOf = (b: {
  source_widget_id?: string | null;
  source_candidate_id?: string | null;
  source_thread_id?: string | null;
  source_decision_id?: string | null;
  source_requirement_id?: string | null;
}): ProposalSources => ({
  widgetId: b.source_widget_id?.toLowerCase() ?? null,
  candidateId: b.source_candidate_id?.toLowerCase() ?? null,
  threadId: b.source_thread_id?.toLowerCase() ?? null,
  decisionId: b.source_decision_id?.toLowerCase() ?? null,
  requirementId: b.source_requirement_id?.toLowerCase() ?? null,
});

/**
 * Proposals over HTTP: external agents post them (agent token, hub-scoped), people list,
 * read and review them. A review is final and one per proposal; accepting publishes
 * `proposal.accepted.v1` for the services that act on it.
 */
@Injectable()
export class ProposalsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(ProposalWriter) private readonly writer: ProposalWriter,
  ) {}

  /** An external agent's proposal; `created` false when an identical one was already stored. */
  async submit(
    agent: AuthenticatedUser,
    body: SubmitProposalDto,
  ): Promise<{ view: ProposalView; created: boolean }> {
    if (agent.kind !== 'agent') throw new AgentTokenRequiredError();
    assertHubAccess(agent, body.hub_id);
    const sources = sourcesOf(body);
    if (!Object.values(sources).some((s) => s !== null)) {
      throw new ProposalDetailsInvalidError([
        {
          field: 'source_widget_id',
          code: 'required',
          message:
            'a proposal names at least one source (widget, candidate, thread, decision or requirement)',
        },
      ]);
    }
    const dimensions = body.confidence_dimensions ?? [];
    if (new Set(dimensions.map((d) => d.dimension)).size !== dimensions.length) {
      throw new ProposalDetailsInvalidError([
        { field: 'confidence_dimensions', code: 'unique', message: 'each dimension at most once' },
      ]);
    }
    const result = await this.orm.em.fork().transactional((em) =>
      this.writer.write(em, {
        hubId: body.hub_id,
        kind: body.kind,
        origin: 'external',
        agent: agent.id,
        modelRef: body.model_ref,
        sources,
        content: body.content,
        details: detailsFor(body.kind, sources, lowerIds(body.details ?? {})),
        confidence: body.confidence,
        dimensions: dimensions.map((d) => ({
          dimension: d.dimension,
          score: d.score,
          explanation: d.explanation ?? null,
        })),
        submittedBy: agent.id,
      }),
    );
    const em = this.orm.em.fork();
    return { view: await this.view(em, result.proposal), created: result.created };
  }

  async get(user: AuthenticatedUser, id: string): Promise<ProposalView> {
    const em = this.orm.em.fork();
    const p = await ProposalRepository.find(em, id);
    if (!p || !canAccessHub(user, p.hub_id)) throw new ProposalNotFoundError(id);
    return this.view(em, p);
  }

  /** The review queue: oldest first, filtered; pending by default. */
  async list(user: AuthenticatedUser, q: ListProposalsQuery): Promise<ProposalPageView> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const cursor = decodeCursor(q.cursor);
    const limit = q.limit ?? 50;
    const scope = q.hub_id
      ? { sql: 'p.hub_id = ?', params: [q.hub_id.toLowerCase()] as unknown[] }
      : hubScopeCondition(user, 'p.hub_id');
    const where = [scope.sql, 'p.status = ?'];
    const params: unknown[] = [...scope.params, q.status ?? 'pending'];
    if (q.kind) {
      where.push('p.proposal_type = ?');
      params.push(q.kind);
    }
    if (q.min_confidence !== undefined) {
      where.push('p.confidence >= ?');
      params.push(q.min_confidence);
    }
    if (q.max_confidence !== undefined) {
      where.push('p.confidence <= ?');
      params.push(q.max_confidence);
    }
    if (q.min_age_hours !== undefined) {
      where.push(`p.created_at <= now() - make_interval(hours => ?)`);
      params.push(q.min_age_hours);
    }
    if (q.source_widget_id) {
      where.push('p.source_widget_id = ?');
      params.push(q.source_widget_id.toLowerCase());
    }
    if (cursor) {
      where.push('(p.created_at, p.id) > (?::timestamptz, ?::uuid)');
      params.push(cursor.at, cursor.id);
    }
    const em = this.orm.em.fork();
    const rows = await query<ProposalRow>(
      em,
      `select ${PROPOSAL_COLUMNS} from agents.agent_proposals p where ${where.join(' and ')}
        order by p.created_at, p.id limit ?`,
      [...params, limit + 1],
    );
    const page = rows.slice(0, limit);
    const ids = page.map((r) => r.id);
    const [dims, reviews] = await Promise.all([
      ProposalRepository.dimensions(em, ids),
      ProposalRepository.reviews(em, ids),
    ]);
    const last = page[page.length - 1];
    return {
      items: page.map((p) =>
        proposalView(
          p,
          dims.filter((d) => d.proposal_id === p.id),
          reviews.find((r) => r.proposal_id === p.id),
        ),
      ),
      next_cursor:
        rows.length > limit && last ? encodeCursor({ at: last.cursor_at, id: last.id }) : null,
    };
  }

  /**
   * Reviews a pending proposal once: the record, the proposal's status, a `proposal.reviewed.v1`
   * and, when accepted or modified, `proposal.accepted.v1` with the edited details.
   */
  async review(
    user: AuthenticatedUser,
    id: string,
    body: ReviewProposalDto,
  ): Promise<ProposalView> {
    const edit = body.content !== undefined || body.details !== undefined;
    if (body.decision === 'modified' && !edit) {
      throw new ReviewEditInvalidError('a modified review carries the edited content or details');
    }
    if (body.decision !== 'modified' && edit) {
      throw new ReviewEditInvalidError(`a ${body.decision} review carries no edit; use modified`);
    }
    try {
      return await this.orm.em.fork().transactional(async (em) => {
        const p = await ProposalRepository.find(em, id, true);
        if (!p || !canAccessHub(user, p.hub_id)) throw new ProposalNotFoundError(id);
        if (!reviewsHub(user, p.hub_id)) throw new ReviewerRequiredError();
        if (p.status !== 'pending') throw new ProposalNotPendingError(id, p.status);
        let details: ProposalDetails = p.details;
        if (body.decision === 'modified' && body.details) {
          details = {
            ...p.details,
            ...definedOnly(editableDetails(p.proposal_type, lowerIds(body.details))),
          };
          const errors = detailsErrors(p.proposal_type, details);
          if (errors.length) throw new ProposalDetailsInvalidError(errors);
        }
        const modified = body.decision === 'modified';
        const reviewedAt = new Date();
        await query(
          em,
          `insert into agents.agent_review_records (proposal_id, hub_id, reviewer_id, decision,
             notes, modified_content, modified_details, reviewed_at)
           values (?, ?, ?, ?, ?, ?, ?::jsonb, date_trunc('milliseconds', ?::timestamptz))`,
          [
            p.id,
            p.hub_id,
            user.id,
            body.decision,
            body.notes ?? null,
            modified ? (body.content ?? null) : null,
            modified ? JSON.stringify(details) : null,
            reviewedAt,
          ],
        );
        const status = body.decision === 'rejected' ? 'rejected' : 'accepted';
        await query(em, `update agents.agent_proposals set status = ? where id = ?`, [
          status,
          p.id,
        ]);
        this.outbox.add(
          em,
          Subjects.Agents.ProposalReviewedV1,
          {
            proposal_id: p.id,
            kind: p.proposal_type,
            decision: body.decision,
            reviewer_id: user.id,
            model_ref: p.model_ref,
            confidence: Number(p.confidence),
            notes: body.notes ?? null,
            reviewed_at: reviewedAt.toISOString(),
          },
          { hubId: p.hub_id, aggregateId: p.id },
        );
        if (status === 'accepted') {
          this.outbox.add(
            em,
            Subjects.Agents.ProposalAcceptedV1,
            acceptedPayload(
              { id: p.id, kind: p.proposal_type, hubId: p.hub_id },
              details,
              user.id,
              reviewedAt,
              body.notes ?? null,
            ),
            { hubId: p.hub_id, aggregateId: p.id },
          );
        }
        await em.flush();
        return this.view(em, (await ProposalRepository.find(em, p.id)) as ProposalRow);
      });
    } catch (err) {
      // Two reviewers at once: the row lock serialises them, the unique proposal_id is the backstop.
      if (hasSqlState(err, UNIQUE_VIOLATION)) throw new ProposalNotPendingError(id, 'accepted');
      throw err;
    }
  }

  private async view(em: EntityManager, p: ProposalRow): Promise<ProposalView> {
    const [dims, review] = await Promise.all([
      ProposalRepository.dimensions(em, [p.id]),
      ProposalRepository.review(em, p.id),
    ]);
    return proposalView(p, dims, review);
  }
}

const UNIQUE_VIOLATION: ReadonlySet<string> = new Set(['23505']);

/** UUIDs compare in lower case everywhere (feedback's consumer lower-cases them too). */
function lowerIds(d: StatedDetails): StatedDetails {
  return {
    ...d,
    candidate_id: d.candidate_id?.toLowerCase(),
    duplicate_of_id: d.duplicate_of_id?.toLowerCase(),
    source_annotation_id: d.source_annotation_id?.toLowerCase(),
  };
}

/** The fields a reviewer may edit (the sources stay the proposal's). */
function editableDetails(kind: ProposalKind, d: StatedDetails): ProposalDetails {
  const none: ProposalSources = {
    widgetId: null,
    candidateId: null,
    threadId: null,
    decisionId: null,
    requirementId: null,
  };
  const out = detailsFor(kind, none, d) as Record<string, unknown>;
  // Source-derived fields came back empty from `none`: drop them so the original's stay.
  for (const k of ['source_widget_id', 'source_thread_id', 'decision_id', 'requirement_id']) {
    delete out[k];
  }
  if (d.source_annotation_id === undefined) delete out.source_annotation_id;
  if (d.constraint_note === undefined) delete out.constraint_note;
  if (d.work_item_system === undefined) delete out.work_item_system;
  return out;
}

const definedOnly = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;
