import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, canAccessHub } from '@ihf/auth';
import { type CandidateStatus, type ParticipantKind, Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { iso, isoRequired } from '@ihf/persistence';
import { CandidateRepository } from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { CandidateVersionConflictError } from '../triage/triage.errors.js';
import { subscriptionMoveEvents } from '../subscriptions/subscribe-with-events.js';
import { TriageService } from '../triage/triage.service.js';
import { type MergeCandidateDto } from './dto/merge.dto.js';
import { type MergeRow, MergeRepository } from './merge.repository.js';
import {
  MergeAlreadyUndoneError,
  MergeNotFoundError,
  MergeUndoStaleError,
} from './merges.errors.js';

/** Merges listed for one candidate. */
const MERGES_LIST_LIMIT = 100;

/** One vote or subscription a merge moved (or folded into the kept candidate's own). */
export interface MergeItemView {
  readonly item: 'vote' | 'subscription';
  readonly participant_kind: ParticipantKind;
  readonly participant_id: string;
  readonly collapsed: boolean;
  readonly original_at: string;
}

/** A merge with its provenance: who, when, what came from where. */
export interface MergeView {
  readonly id: string;
  readonly hub_id: string;
  readonly duplicate_id: string;
  readonly kept_id: string;
  readonly from_status: CandidateStatus;
  readonly notes: string | null;
  readonly merged_by: string | null;
  readonly source_proposal_id: string | null;
  readonly merged_at: string;
  readonly undone_at: string | null;
  readonly undone_by: string | null;
  readonly items: MergeItemView[];
}

/** Merges of candidates of the caller's hubs. */
export interface MergesView {
  readonly candidate_id: string;
  readonly merges: MergeView[];
}

/**
 * Merging a duplicate into the candidate that is kept, and undoing it. A merge is the triage
 * transition to `duplicate` (the workflow's checks, one audit row, status_changed) plus the
 * move of votes, subscribers and sources ({@link TriageService.apply} does both, for triagers
 * here and for accepted agent duplicate flags). An undo restores the duplicate's status and
 * puts back what moved, as long as neither candidate changed since.
 */
@Injectable()
export class MergesService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
    @Inject(TriageService) private readonly triage: TriageService,
  ) {}

  async merge(
    user: AuthenticatedUser,
    duplicateId: string,
    dto: MergeCandidateDto,
  ): Promise<MergeView> {
    return this.orm.em.fork().transactional(async (em) => {
      await CandidateRepository.lockInOrder(em, [duplicateId, dto.into_id]);
      const candidate = await this.candidates.visible(em, user, duplicateId, true);
      if (dto.expected_version !== undefined && dto.expected_version !== candidate.version) {
        throw new CandidateVersionConflictError(dto.expected_version, candidate.version);
      }
      await this.triage.apply(em, candidate, {
        to: 'duplicate',
        notes: dto.notes ?? null,
        duplicateOfId: dto.into_id.toLowerCase(),
        requirementId: null,
        changedBy: user.id,
        actor: 'user',
      });
      // apply() merged it (a duplicate transition always does): read that merge back.
      const merge = (await MergeRepository.liveFor(em, candidate.id)) as MergeRow;
      return (await this.views(em, [merge]))[0];
    });
  }

  async undo(user: AuthenticatedUser, mergeId: string): Promise<MergeView> {
    return this.orm.em.fork().transactional(async (em) => {
      const seen = await MergeRepository.find(em, mergeId.toLowerCase());
      if (!seen || !canAccessHub(user, seen.hub_id)) throw new MergeNotFoundError(mergeId);
      // Candidates first, then the merge: the order a merge takes its locks in.
      await CandidateRepository.lockInOrder(em, [seen.duplicate_id, seen.kept_id]);
      const merge = (await MergeRepository.find(em, seen.id, true)) as MergeRow;
      if (merge.undone_at)
        throw new MergeAlreadyUndoneError(merge.id, isoRequired(merge.undone_at));
      const duplicate = await CandidateRepository.find(em, merge.duplicate_id);
      const kept = await CandidateRepository.find(em, merge.kept_id);
      if (!duplicate || duplicate.version !== merge.duplicate_version) {
        throw new MergeUndoStaleError(merge.id, merge.duplicate_id);
      }
      if (!kept || kept.version !== merge.kept_version) {
        throw new MergeUndoStaleError(merge.id, merge.kept_id);
      }
      const at = new Date();
      const returned = await MergeRepository.undo(em, merge, user.id, at);
      const restored = await CandidateRepository.restoreFromDuplicate(
        em,
        duplicate.id,
        merge.from_status,
        at,
      );
      await CandidateRepository.bumpVersion(em, kept.id, at);
      const notes = `merge ${merge.id} into ${kept.id} undone`;
      await CandidateRepository.appendState(em, {
        candidateId: duplicate.id,
        status: merge.from_status,
        fromStatus: 'duplicate',
        notes,
        duplicateOfId: null,
        requirementId: null,
        changedBy: user.id,
        changedAt: at,
      });
      const meta = { hubId: merge.hub_id, aggregateId: duplicate.id, aggregateVersion: restored };
      this.outbox.add(
        em,
        Subjects.Feedback.CandidateStatusChangedV1,
        {
          candidate_id: duplicate.id,
          from: 'duplicate',
          to: merge.from_status,
          notes,
          duplicate_of_id: null,
          requirement_id: null,
          changed_by: user.id,
          version: restored,
          changed_at: isoRequired(at),
        },
        meta,
      );
      this.outbox.add(
        em,
        Subjects.Feedback.CandidateMergeUndoneV1,
        {
          merge_id: merge.id,
          duplicate_id: duplicate.id,
          kept_id: kept.id,
          restored_status: merge.from_status,
          undone_by: user.id,
          votes_returned: returned.votes,
          subscribers_returned: returned.back.length + returned.recreated.length,
          undone_at: isoRequired(at),
        },
        { hubId: merge.hub_id, aggregateId: kept.id },
      );
      subscriptionMoveEvents(
        em,
        this.outbox,
        merge.hub_id,
        [
          ...returned.back.flatMap((s) => [
            { candidateId: kept.id, ...s, subscribed: false },
            { candidateId: duplicate.id, ...s, subscribed: true },
          ]),
          ...returned.recreated.map((s) => ({ candidateId: duplicate.id, ...s, subscribed: true })),
        ],
        at,
      );
      return (await this.views(em, [(await MergeRepository.find(em, merge.id)) as MergeRow]))[0];
    });
  }

  /** Merges into and out of a candidate, newest first, with what each moved. */
  async list(user: AuthenticatedUser, candidateId: string): Promise<MergesView> {
    return this.orm.em.fork().transactional(
      async (em) => {
        const candidate = await this.candidates.visible(em, user, candidateId);
        const merges = await MergeRepository.listFor(em, candidate.id, MERGES_LIST_LIMIT);
        return { candidate_id: candidate.id, merges: await this.views(em, merges) };
      },
      { readOnly: true },
    );
  }

  private async views(em: EntityManager, merges: MergeRow[]): Promise<MergeView[]> {
    const items = await MergeRepository.items(
      em,
      merges.map((m) => m.id),
    );
    return merges.map((m) => ({
      id: m.id,
      hub_id: m.hub_id,
      duplicate_id: m.duplicate_id,
      kept_id: m.kept_id,
      from_status: m.from_status,
      notes: m.notes,
      merged_by: m.merged_by,
      source_proposal_id: m.source_proposal_id,
      merged_at: isoRequired(m.merged_at),
      undone_at: iso(m.undone_at),
      undone_by: m.undone_by,
      items: items
        .filter((i) => i.merge_id === m.id)
        .map((i) => ({
          item: i.is_subscription ? 'subscription' : 'vote',
          participant_kind: i.participant_kind,
          participant_id: i.participant_id,
          collapsed: i.collapsed,
          original_at: isoRequired(i.original_at),
        })),
    }));
  }
}
