import { DomainError } from '@ihf/observability';

export class ReviewerNotEligibleError extends DomainError {
  constructor(userId: string) {
    super({
      code: 'FEEDBACK.REVIEWER_NOT_ELIGIBLE',
      status: 422,
      message: `User ${userId} does not hold the reviewer role in the candidate's hub`,
    });
  }
}

export class CandidateClosedError extends DomainError {
  constructor(status: string) {
    super({
      code: 'FEEDBACK.CANDIDATE_CLOSED',
      status: 409,
      message: `A candidate in '${status}' takes no reviewer`,
    });
  }
}

export class ReviewerDeactivatedError extends DomainError {
  constructor(userId: string) {
    super({
      code: 'FEEDBACK.REVIEWER_DEACTIVATED',
      status: 422,
      message: `User ${userId} is deactivated and cannot be assigned`,
    });
  }
}
