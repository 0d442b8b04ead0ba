import { DomainError } from '@ihf/observability';

export class DecisionNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'GOVERNANCE.DECISION_NOT_FOUND',
      status: 404,
      message: `Decision ${id} does not exist`,
    });
  }
}

/** A decision is about a requirement and/or a candidate of one hub. */
export class InvalidDecisionSubjectError extends DomainError {
  constructor(message: string) {
    super({ code: 'GOVERNANCE.INVALID_DECISION_SUBJECT', status: 422, message });
  }
}

/** A decision is superseded once; the newer decision is the one to supersede now. */
export class DecisionAlreadySupersededError extends DomainError {
  constructor(id: string, supersededById: string) {
    super({
      code: 'GOVERNANCE.DECISION_ALREADY_SUPERSEDED',
      status: 409,
      message: `Decision ${id} was already superseded by ${supersededById}`,
      extensions: { superseded_by_id: supersededById },
    });
  }
}

/** The decision to supersede is in another hub or about something else. */
export class InvalidSupersessionError extends DomainError {
  constructor(message: string) {
    super({ code: 'GOVERNANCE.INVALID_SUPERSESSION', status: 422, message });
  }
}

/** The same policy scope, or work item, is already on the decision. */
export class AlreadyLinkedError extends DomainError {
  constructor(message: string) {
    super({ code: 'GOVERNANCE.ALREADY_LINKED', status: 409, message });
  }
}

/** A client-chosen decision id that another request (or another person) already used. */
export class DecisionIdTakenError extends DomainError {
  constructor(id: string) {
    super({
      code: 'GOVERNANCE.DECISION_ID_TAKEN',
      status: 409,
      message: `Decision id ${id} is already used by another decision`,
    });
  }
}
