import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser } from '@ihf/auth';
import { type EventEnvelope, type MeTooSubmittedV1, Subjects } from '@ihf/contracts';
import { NonRetryableError, Outbox } from '@ihf/messaging';
import { isoRequired } from '@ihf/persistence';
import { CandidateRepository, type CandidateRow } from '../candidates/candidate.repository.js';
import { CandidatesService } from '../candidates/candidates.service.js';
import { subscribeWithEvents } from '../subscriptions/subscribe-with-events.js';
import { type VoteCounts, VoteRepository, type Voter } from './vote.repository.js';
import { AlreadyVotedError, VoteNotFoundError } from './votes.errors.js';

/** Merges a "me too" follows to reach the live candidate (a chain longer than this is a bug). */
const MAX_MERGE_HOPS = 20;

/** Votes on a candidate, and whether the caller is one of them. */
export interface VotesView extends VoteCounts {
  readonly candidate_id: string;
  readonly voted_by_me: boolean;
}

/**
 * Votes on candidates: one per hub user (over HTTP; a second is 409) and one per reporter (a
 * "me too" from the SDK through ingestion; a repeat changes nothing). A voter follows the
 * candidate from then on. The candidate row is share-locked, so a vote waits for a concurrent
 * merge and then sees where the votes went.
 */
@Injectable()
export class VotesService {
  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(Outbox) private readonly outbox: Outbox,
    @Inject(CandidatesService) private readonly candidates: CandidatesService,
  ) {}

  async vote(user: AuthenticatedUser, candidateId: string): Promise<VotesView> {
    return this.orm.em.fork().transactional(async (em) => {
      const candidate = await this.candidates.visible(em, user, candidateId, 'share');
      this.candidates.refuseMerged(candidate);
      const voter: Voter = { kind: 'user', id: user.id };
      if (!(await this.record(em, candidate, voter))) throw new AlreadyVotedError(candidate.id);
      return this.view(em, candidate.id, voter);
    });
  }

  async withdraw(user: AuthenticatedUser, candidateId: string): Promise<VotesView> {
    return this.orm.em.fork().transactional(async (em) => {
      const candidate = await this.candidates.visible(em, user, candidateId, 'share');
      const voter: Voter = { kind: 'user', id: user.id };
      if (!(await VoteRepository.remove(em, candidate.id, voter))) {
        throw new VoteNotFoundError(candidate.id);
      }
      const counts = await VoteRepository.counts(em, candidate.id);
      this.outbox.add(
        em,
        Subjects.Feedback.CandidateVoteWithdrawnV1,
        {
          candidate_id: candidate.id,
          voter_kind: voter.kind,
          voter_id: voter.id,
          vote_count: counts.vote_count,
          withdrawn_at: new Date().toISOString(),
        },
        { hubId: candidate.hub_id, aggregateId: candidate.id },
      );
      return { candidate_id: candidate.id, ...counts, voted_by_me: false };
    });
  }

  async get(user: AuthenticatedUser, candidateId: string): Promise<VotesView> {
    const em = this.orm.em.fork();
    const candidate = await this.candidates.visible(em, user, candidateId);
    return this.view(em, candidate.id, { kind: 'user', id: user.id });
  }

  /**
   * A "me too" from ingestion: counted once per reporter, on the candidate that now holds the
   * named one's votes (a duplicate's kept candidate). A candidate that does not exist in the
   * event's hub will not appear on redelivery: dead-lettered.
   */
  async meToo(em: EntityManager, e: EventEnvelope<MeTooSubmittedV1>): Promise<void> {
    const p = e.payload;
    const hubId = p.hub_id.toLowerCase();
    let candidate = await CandidateRepository.find(em, p.candidate_id.toLowerCase(), 'share');
    for (let hop = 0; candidate?.status === 'duplicate' && candidate.duplicate_of_id; hop++) {
      if (hop >= MAX_MERGE_HOPS)
        throw new NonRetryableError(`merge chain of ${p.candidate_id} too long`);
      candidate = await CandidateRepository.find(em, candidate.duplicate_of_id, 'share');
    }
    if (!candidate || candidate.hub_id !== hubId) {
      throw new NonRetryableError(`candidate ${p.candidate_id} does not exist in hub ${hubId}`);
    }
    await this.record(em, candidate, { kind: 'reporter', id: p.reporter_id.toLowerCase() });
  }

  /** Adds the vote with its event and subscribes the voter; false when it was there already. */
  private async record(em: EntityManager, candidate: CandidateRow, voter: Voter): Promise<boolean> {
    const at = new Date();
    if (!(await VoteRepository.add(em, candidate, voter, at))) return false;
    const counts = await VoteRepository.counts(em, candidate.id);
    this.outbox.add(
      em,
      Subjects.Feedback.CandidateVotedV1,
      {
        candidate_id: candidate.id,
        voter_kind: voter.kind,
        voter_id: voter.id,
        vote_count: counts.vote_count,
        voted_at: isoRequired(at),
      },
      { hubId: candidate.hub_id, aggregateId: candidate.id },
    );
    await subscribeWithEvents(em, this.outbox, candidate, [voter], 'vote', at);
    return true;
  }

  private async view(em: EntityManager, candidateId: string, voter: Voter): Promise<VotesView> {
    const [counts, mine] = await Promise.all([
      VoteRepository.counts(em, candidateId),
      VoteRepository.has(em, candidateId, voter),
    ]);
    return { candidate_id: candidateId, ...counts, voted_by_me: mine };
  }
}
