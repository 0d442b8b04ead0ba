import { DomainError } from '@ihf/observability';

export class InvalidBatchError extends DomainError {
  constructor(detail: string) {
    super({ code: 'INGESTION.INVALID_BATCH', status: 400, message: detail });
  }
}

export class BatchTooLargeError extends DomainError {
  constructor(count: number, max: number) {
    super({
      code: 'INGESTION.BATCH_TOO_LARGE',
      status: 413,
      message: `A request carries at most ${max} events, this one ${count}`,
      extensions: { max_events: max },
    });
  }
}
