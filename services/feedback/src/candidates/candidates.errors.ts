import { DomainError } from '@ihf/observability';

export class CandidateNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'FEEDBACK.CANDIDATE_NOT_FOUND',
      status: 404,
      message: `Requirement candidate ${id} does not exist`,
    });
  }
}

export class CandidateSourceRequiredError extends DomainError {
  constructor() {
    super({
      code: 'FEEDBACK.CANDIDATE_SOURCE_REQUIRED',
      status: 422,
      message: 'Escalate an annotation (source_annotation_id) or a thread (source_thread_id)',
    });
  }
}

export class InvalidCandidateSourceError extends DomainError {
  constructor(message: string) {
    super({ code: 'FEEDBACK.INVALID_CANDIDATE_SOURCE', status: 422, message });
  }
}

/** Votes and subscriptions go to the kept candidate once a duplicate was merged into it. */
export class CandidateMergedError extends DomainError {
  constructor(id: string, keptId: string) {
    super({
      code: 'FEEDBACK.CANDIDATE_MERGED',
      status: 409,
      message: `Candidate ${id} was merged into ${keptId}: vote for or follow that one`,
      extensions: { kept_id: keptId },
    });
  }
}
