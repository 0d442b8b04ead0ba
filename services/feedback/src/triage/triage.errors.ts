import { type CandidateStatus } from '@ihf/contracts';
import { DomainError } from '@ihf/observability';

export class TransitionNotAllowedError extends DomainError {
  constructor(from: CandidateStatus, to: CandidateStatus, allowed: CandidateStatus[]) {
    super({
      code: 'FEEDBACK.TRANSITION_NOT_ALLOWED',
      status: 409,
      message:
        to === 'promoted' && from === 'accepted'
          ? 'An accepted candidate is promoted by governance, not through the triage API'
          : `A candidate in '${from}' cannot move to '${to}'`,
      extensions: { current_status: from, allowed_transitions: allowed },
    });
  }
}

export class CandidateVersionConflictError extends DomainError {
  constructor(expected: number, current: number) {
    super({
      code: 'FEEDBACK.CANDIDATE_VERSION_CONFLICT',
      status: 409,
      message: `The candidate changed (version ${current}, expected ${expected}); reload and retry`,
      extensions: { current_version: current },
    });
  }
}

export class DuplicateTargetRequiredError extends DomainError {
  constructor() {
    super({
      code: 'FEEDBACK.DUPLICATE_TARGET_REQUIRED',
      status: 422,
      message: "A move to 'duplicate' names the candidate it duplicates (duplicate_of_id)",
    });
  }
}

export class InvalidDuplicateTargetError extends DomainError {
  constructor(reason: string) {
    super({ code: 'FEEDBACK.INVALID_DUPLICATE_TARGET', status: 422, message: reason });
  }
}

export class NotAssignedReviewerError extends DomainError {
  constructor() {
    super({
      code: 'FEEDBACK.NOT_ASSIGNED_REVIEWER',
      status: 403,
      message: 'A reviewer moves only the candidates assigned to them',
    });
  }
}
