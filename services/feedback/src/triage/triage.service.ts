import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser } from '@ihf/auth';
import { type CandidateStatus, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { isoRequired, queryOne } from '@ihf/persistence';
import { isTriager } from '../common/roles.js';
import {
  CandidateRepository,
  type CandidateRow,
  type CandidateView,
  toCandidateView,
} from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { MergeRepository, type MergeResult } from '../merges/merge.repository.js';
import { subscriptionMoveEvents } from '../subscriptions/subscribe-with-events.js';
import { type TransitionDto } from './dto/triage.dto.js';
import {
  CandidateVersionConflictError,
  DuplicateTargetRequiredError,
  InvalidDuplicateTargetError,
  NotAssignedReviewerError,
  TransitionNotAllowedError,
} from './triage.errors.js';
import { allowedTransitions, canTransition, type TransitionActor } from './triage-workflow.js';

/** A transition request, from a person, an accepted proposal or governance. */
export interface TransitionRequest {
  readonly to: CandidateStatus;
  readonly notes: string | null;
  readonly duplicateOfId: string | null;
  readonly requirementId: string | null;
  readonly changedBy: string | null;
  readonly actor: TransitionActor;
  /** The accepted agent proposal behind a duplicate flag (merge provenance). */
  readonly sourceProposalId?: string | null;
}

/**
 * The triage workflow: every transition is checked against the explicit table, locks the
 * candidate row (`SELECT … FOR UPDATE`, so of two concurrent transitions the second sees the
 * first's result and is refused), appends a `triage_states` row and writes the status_changed
 * event, all in one transaction.
 */
@Injectable()
export class TriageService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
  ) {}

  async transition(
    user: AuthenticatedUser,
    candidateId: string,
    dto: TransitionDto,
  ): Promise<CandidateView> {
    return this.orm.em.fork().transactional(async (em) => {
      if (dto.to === 'duplicate' && dto.duplicate_of_id) {
        await CandidateRepository.lockInOrder(em, [candidateId, dto.duplicate_of_id]);
      }
      const candidate = await this.candidates.visible(em, user, candidateId, true);
      if (dto.expected_version !== undefined && dto.expected_version !== candidate.version) {
        throw new CandidateVersionConflictError(dto.expected_version, candidate.version);
      }
      if (!isTriager(user) && candidate.reviewer_id !== user.id) {
        throw new NotAssignedReviewerError();
      }
      const row = await this.apply(em, candidate, {
        to: dto.to,
        notes: dto.notes ?? null,
        duplicateOfId: dto.duplicate_of_id?.toLowerCase() ?? null,
        requirementId: null,
        changedBy: user.id,
        actor: 'user',
      });
      return toCandidateView(row);
    });
  }

  /**
   * Applies a transition to a candidate locked in `em`'s transaction (for a duplicate, with its
   * target locked first: {@link CandidateRepository.lockInOrder}).
   * @throws TransitionNotAllowedError, DuplicateTargetRequiredError, InvalidDuplicateTargetError
   */
  async apply(
    em: EntityManager,
    candidate: CandidateRow,
    request: TransitionRequest,
  ): Promise<CandidateRow> {
    const from = candidate.status;
    if (!canTransition(from, request.to, request.actor)) {
      throw new TransitionNotAllowedError(from, request.to, allowedTransitions(from));
    }
    if (request.to === 'duplicate') {
      await this.checkDuplicateTarget(em, candidate, request.duplicateOfId);
    } else if (request.duplicateOfId) {
      throw new InvalidDuplicateTargetError("duplicate_of_id is only given with to = 'duplicate'");
    }
    const at = new Date();
    const updated = await CandidateRepository.updateStatus(em, candidate.id, from, request.to, {
      duplicateOfId: request.duplicateOfId,
      requirementId: request.requirementId,
      at,
    });
    // The row is locked, so its status cannot have moved; a miss here is a bug, not a race.
    if (!updated) throw new Error(`candidate ${candidate.id} left '${from}' while locked`);
    await CandidateRepository.appendState(em, {
      candidateId: candidate.id,
      status: request.to,
      fromStatus: from,
      notes: request.notes,
      duplicateOfId: request.duplicateOfId,
      requirementId: request.requirementId,
      changedBy: request.changedBy,
      changedAt: at,
    });
    this.outbox.add(
      em,
      Subjects.Feedback.CandidateStatusChangedV1,
      {
        candidate_id: candidate.id,
        from,
        to: request.to,
        notes: request.notes,
        duplicate_of_id: request.duplicateOfId,
        requirement_id: request.requirementId,
        changed_by: request.changedBy,
        version: updated.version,
        changed_at: isoRequired(at),
      },
      { hubId: candidate.hub_id, aggregateId: candidate.id, aggregateVersion: updated.version },
    );
    if (request.to === 'duplicate') {
      await this.merge(em, candidate, updated, request, at);
    }
    return updated;
  }

  /**
   * Marking a duplicate merges it (issue 16): its votes, subscribers and sources move to the
   * kept candidate, with provenance in `candidate_merges`; `merged.v1` tells notifications.
   */
  private async merge(
    em: EntityManager,
    before: CandidateRow,
    after: CandidateRow,
    request: TransitionRequest,
    at: Date,
  ): Promise<MergeResult> {
    const result = await MergeRepository.merge(em, {
      hubId: before.hub_id,
      duplicateId: before.id,
      duplicateVersion: after.version,
      keptId: request.duplicateOfId as string,
      fromStatus: before.status,
      mergedBy: request.changedBy,
      notes: request.notes,
      sourceProposalId: request.sourceProposalId ?? null,
      at,
    });
    this.outbox.add(
      em,
      Subjects.Feedback.CandidateMergedV1,
      {
        merge_id: result.merge.id,
        duplicate_id: before.id,
        kept_id: result.merge.kept_id,
        from_status: before.status,
        merged_by: request.changedBy,
        source_proposal_id: result.merge.source_proposal_id,
        notes: request.notes,
        votes_moved: result.votesMoved,
        subscribers_moved: result.subscribersMoved,
        kept_vote_count: result.keptVoteCount,
        kept_subscriber_count: result.keptSubscriberCount,
        merged_at: isoRequired(at),
      },
      { hubId: before.hub_id, aggregateId: result.merge.kept_id },
    );
    const keptId = result.merge.kept_id;
    subscriptionMoveEvents(
      em,
      this.outbox,
      before.hub_id,
      [
        ...result.subscriptionsMoved.flatMap((s) => [
          { candidateId: before.id, ...s, subscribed: false },
          { candidateId: keptId, ...s, subscribed: true },
        ]),
        ...result.subscriptionsCollapsed.map((s) => ({
          candidateId: before.id,
          ...s,
          subscribed: false,
        })),
      ],
      at,
    );
    return result;
  }

  private async checkDuplicateTarget(
    em: EntityManager,
    candidate: CandidateRow,
    targetId: string | null,
  ): Promise<void> {
    if (!targetId) throw new DuplicateTargetRequiredError();
    if (targetId === candidate.id) {
      throw new InvalidDuplicateTargetError('A candidate cannot duplicate itself');
    }
    const target = await queryOne<{ hub_id: string; status: CandidateStatus }>(
      em,
      'select hub_id, status from feedback.requirement_candidates where id = ?',
      [targetId],
    );
    if (!target || target.hub_id !== candidate.hub_id) {
      throw new InvalidDuplicateTargetError(`Candidate ${targetId} does not exist in this hub`);
    }
    if (target.status === 'duplicate') {
      throw new InvalidDuplicateTargetError(
        `Candidate ${targetId} is itself a duplicate: name the candidate it duplicates`,
      );
    }
  }
}
