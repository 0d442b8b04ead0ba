import { DomainError } from '@ihf/observability';

/** One vote per user: a second one is refused, not counted (issue 16). */
export class AlreadyVotedError extends DomainError {
  constructor(candidateId: string) {
    super({
      code: 'FEEDBACK.ALREADY_VOTED',
      status: 409,
      message: `You have voted for candidate ${candidateId} already`,
    });
  }
}

export class VoteNotFoundError extends DomainError {
  constructor(candidateId: string) {
    super({
      code: 'FEEDBACK.VOTE_NOT_FOUND',
      status: 404,
      message: `You have no vote on candidate ${candidateId}`,
    });
  }
}
