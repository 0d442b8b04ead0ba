import { DomainError } from '@ihf/observability';

/** The widget does not exist, or it is in a hub the caller cannot see. */
export class WidgetNotFoundError extends DomainError {
  constructor(id: string) {
    super({
      code: 'GOVERNANCE.WIDGET_NOT_FOUND',
      status: 404,
      message: `Widget ${id} does not exist`,
    });
  }
}

/** Governance has not heard of the widget yet and ingestion did not answer the look-up. */
export class WidgetLookupUnavailableError extends DomainError {
  constructor(id: string, cause: unknown) {
    super({
      code: 'GOVERNANCE.WIDGET_LOOKUP_UNAVAILABLE',
      status: 503,
      message: `Widget ${id} is not known here yet and the ingestion service did not answer; retry shortly`,
      cause,
    });
  }
}

/** Governance has not heard of the candidate yet and feedback did not answer the look-up. */
export class CandidateLookupUnavailableError extends DomainError {
  constructor(id: string, cause: unknown) {
    super({
      code: 'GOVERNANCE.CANDIDATE_LOOKUP_UNAVAILABLE',
      status: 503,
      message: `Requirement candidate ${id} is not known here yet and the feedback service did not answer; retry shortly`,
      cause,
    });
  }
}
