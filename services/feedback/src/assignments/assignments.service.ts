import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser } from '@ihf/auth';
import { Subjects } from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { CandidateRepository } from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { isoRequired, query } from '@ihf/persistence';
import { PrincipalReadModel } from '../read-models/principal-read-model.repository.js';
import { OPEN_STATUSES } from '../triage/triage-workflow.js';
import {
  CandidateClosedError,
  ReviewerDeactivatedError,
  ReviewerNotEligibleError,
} from './assignments.errors.js';
import { type AssignmentView } from './dto/assignment.dto.js';

/**
 * Reviewer assignment: one reviewer per candidate (the seed's unique constraint); reassigning
 * replaces it and appends to the append-only `reviewer_assignment_audit`. The reviewer must
 * hold the reviewer role in the candidate's hub and not be deactivated, as identity's events
 * last said.
 */
@Injectable()
export class AssignmentsService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
  ) {}

  async assign(
    user: AuthenticatedUser,
    candidateId: string,
    reviewerId: string,
  ): Promise<AssignmentView> {
    const reviewer = reviewerId.toLowerCase();
    return this.orm.em.fork().transactional(async (em) => {
      const candidate = await this.candidates.visible(em, user, candidateId, true);
      if (!OPEN_STATUSES.includes(candidate.status) && candidate.status !== 'accepted') {
        throw new CandidateClosedError(candidate.status);
      }
      const principal = await PrincipalReadModel.find(em, reviewer);
      if (principal?.deactivated) throw new ReviewerDeactivatedError(reviewer);
      const eligible =
        principal !== undefined &&
        principal.roles.includes('reviewer') &&
        (principal.hub_ids.includes(candidate.hub_id) || principal.roles.includes('admin'));
      if (!eligible) throw new ReviewerNotEligibleError(reviewer);
      const previous = candidate.reviewer_id;
      const now = new Date();
      if (previous === reviewer) {
        const [current] = await query<{ assigned_by: string | null; assigned_at: Date }>(
          em,
          'select assigned_by, assigned_at from feedback.reviewer_assignments where candidate_id = ?',
          [candidate.id],
        );
        return {
          candidate_id: candidate.id,
          reviewer_id: reviewer,
          previous_reviewer_id: null,
          assigned_by: current.assigned_by,
          assigned_at: isoRequired(current.assigned_at),
        };
      }
      await query(
        em,
        `insert into feedback.reviewer_assignments (candidate_id, user_id, assigned_by, assigned_at)
         values (?, ?, ?, ?)
         on conflict (candidate_id) do update set user_id = excluded.user_id,
           assigned_by = excluded.assigned_by, assigned_at = excluded.assigned_at`,
        [candidate.id, reviewer, user.id, now],
      );
      await query(
        em,
        `insert into feedback.reviewer_assignment_audit
           (candidate_id, reviewer_id, previous_reviewer_id, changed_by, changed_at)
         values (?, ?, ?, ?, ?)`,
        [candidate.id, reviewer, previous, user.id, now],
      );
      await CandidateRepository.bumpVersion(em, candidate.id, now);
      this.outbox.add(
        em,
        Subjects.Feedback.CandidateAssignedV1,
        {
          candidate_id: candidate.id,
          reviewer_id: reviewer,
          previous_reviewer_id: previous,
          assigned_by: user.id,
          assigned_at: now.toISOString(),
        },
        {
          hubId: candidate.hub_id,
          aggregateId: candidate.id,
          aggregateVersion: candidate.version + 1,
        },
      );
      return {
        candidate_id: candidate.id,
        reviewer_id: reviewer,
        previous_reviewer_id: previous,
        assigned_by: user.id,
        assigned_at: now.toISOString(),
      };
    });
  }
}
