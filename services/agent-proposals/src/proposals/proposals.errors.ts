import { type ProposalStatus } from '@ihf/contracts';
import { DomainError } from '@ihf/observability';

/** One refused field, as the platform's validation problems list them. */
export interface FieldError {
  readonly field: string;
  readonly code: string;
  readonly message: string;
}

/** The proposal is unknown, or of a hub the caller cannot see (same answer: no probing). */
export class ProposalNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'AGENTS.PROPOSAL_NOT_FOUND',
      status: 404,
      message: `Proposal ${id} does not exist`,
    });
  }
}

/** Proposals are posted by agent clients (identity's client credentials grant), not by people. */
export class AgentTokenRequiredError extends DomainError {
  constructor() {
    super({
      code: 'AGENTS.AGENT_TOKEN_REQUIRED',
      status: 403,
      message: 'Proposals are posted with an agent token (role agent); people review them instead',
    });
  }
}

/** Reviewers are people of the hub: reviewers, triagers, governors or admins. */
export class ReviewerRequiredError extends DomainError {
  constructor() {
    super({
      code: 'AGENTS.REVIEWER_REQUIRED',
      status: 403,
      message:
        "Only a person reviewing the proposal's hub (reviewer, triager, governor, admin) can review it",
    });
  }
}

/** A proposal is reviewed exactly once, and only while pending. */
export class ProposalNotPendingError extends DomainError {
  constructor(id: string, status: ProposalStatus) {
    super({
      code:
        status === 'superseded' ? 'AGENTS.PROPOSAL_SUPERSEDED' : 'AGENTS.PROPOSAL_ALREADY_REVIEWED',
      status: 409,
      message:
        status === 'superseded'
          ? `Proposal ${id} was superseded by a newer one; review that one instead`
          : `Proposal ${id} was already reviewed (${status}); a review is final`,
      extensions: { proposal_status: status },
    });
  }
}

/**
 * The proposal's details would be refused by the services that act on it once accepted (the
 * `proposal.accepted.v1` contract): refused now rather than dead-lettered later.
 */
export class ProposalDetailsInvalidError extends DomainError {
  constructor(errors: readonly FieldError[]) {
    super({
      code: 'AGENTS.PROPOSAL_DETAILS_INVALID',
      status: 422,
      message: `The proposal cannot be acted on once accepted: ${errors.map((e) => e.message).join('; ')}`,
      // `errors` is reserved for request validation (400); these are the same shape.
      extensions: { invalid_fields: errors },
    });
  }
}

/** A `modified` review carries the edit; the other decisions carry none. */
export class ReviewEditInvalidError extends DomainError {
  constructor(message: string) {
    super({ code: 'AGENTS.REVIEW_EDIT_INVALID', status: 422, message });
  }
}
