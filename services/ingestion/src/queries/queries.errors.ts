import { DomainError } from '@ihf/observability';

export class InvalidTimeRangeError extends DomainError {
  constructor(detail: string) {
    super({ code: 'INGESTION.INVALID_TIME_RANGE', status: 400, message: detail });
  }
}
