import { type CandidateStatus, type RequirementStatus } from '@ihf/contracts';
import { DomainError } from '@ihf/observability';

/** The candidate is unknown here, or in a hub the caller cannot see. */
export class CandidateNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'GOVERNANCE.CANDIDATE_NOT_FOUND',
      status: 404,
      message: `Requirement candidate ${id} does not exist (or governance has not heard of it yet)`,
    });
  }
}

/** Only an accepted candidate is promoted; the problem names its status. */
export class CandidateNotAcceptedError extends DomainError {
  constructor(id: string, status: CandidateStatus) {
    super({
      code: 'GOVERNANCE.CANDIDATE_NOT_ACCEPTED',
      status: 409,
      message: `Requirement candidate ${id} is ${status}; only an accepted candidate can be promoted`,
      extensions: { candidate_status: status },
    });
  }
}

/** A candidate is promoted at most once. */
export class CandidateAlreadyPromotedError extends DomainError {
  constructor(id: string, requirementId: string) {
    super({
      code: 'GOVERNANCE.CANDIDATE_ALREADY_PROMOTED',
      status: 409,
      message: `Requirement candidate ${id} was already promoted to requirement ${requirementId}`,
      extensions: { candidate_status: 'promoted', requirement_id: requirementId },
    });
  }
}

export class RequirementNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'GOVERNANCE.REQUIREMENT_NOT_FOUND',
      status: 404,
      message: `Requirement ${id} does not exist`,
    });
  }
}

/** Superseded and retired requirements are final: no edit, no supersession, no retirement. */
export class RequirementNotActiveError extends DomainError {
  constructor(id: string, status: RequirementStatus) {
    super({
      code: 'GOVERNANCE.REQUIREMENT_NOT_ACTIVE',
      status: 409,
      message: `Requirement ${id} is ${status}; only an active requirement can change`,
      extensions: { requirement_status: status },
    });
  }
}

/** A promotion with no title of its own whose candidate has none either. */
export class RequirementTitleRequiredError extends DomainError {
  constructor(candidateId: string) {
    super({
      code: 'GOVERNANCE.REQUIREMENT_TITLE_REQUIRED',
      status: 422,
      message: `Candidate ${candidateId} has no title yet: give the requirement a title`,
    });
  }
}

/** A requirement is superseded by another active requirement of its hub. */
export class InvalidSuccessorError extends DomainError {
  constructor(message: string) {
    super({ code: 'GOVERNANCE.INVALID_SUCCESSOR', status: 422, message });
  }
}

/** An edit sent with the version it was based on, and the requirement changed since. */
export class RequirementVersionConflictError extends DomainError {
  constructor(id: string, version: number) {
    super({
      code: 'GOVERNANCE.REQUIREMENT_VERSION_CONFLICT',
      status: 409,
      message: `Requirement ${id} is at version ${version}; reload it and edit again`,
      extensions: { version },
    });
  }
}

/** The caller is a member of the hub but not one of its governors. */
export class NotAGovernorError extends DomainError {
  constructor() {
    super({
      code: 'GOVERNANCE.GOVERNOR_REQUIRED',
      status: 403,
      message: 'Only a governor of the hub (or an admin) may do this',
    });
  }
}
