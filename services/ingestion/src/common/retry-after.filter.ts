import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import { ProblemFilter } from '@ihf/observability';
import { IngestionConfig } from '../config/ingestion.config.js';
import { isConnectionError, StorageUnavailableError } from './unavailable.error.js';

/**
 * Answers a lost Postgres connection as 503 `INGESTION.STORAGE_UNAVAILABLE` with the service's
 * configured Retry-After (the shared {@link ProblemFilter} would answer a generic
 * `SERVICE.UNAVAILABLE`), then answers with the {@link ProblemFilter}, which sends `Retry-After`. Applied with `@UseFilters` on every controller, so that it
 * also sees errors from guards (the API-key check may find Postgres down).
 */
@Catch()
@Injectable()
export class RetryAfterFilter implements ExceptionFilter {
  constructor(
    @Inject(ProblemFilter) private readonly problems: ProblemFilter,
    @Inject(IngestionConfig) private readonly config: IngestionConfig,
  ) {}

  catch(thrown: unknown, host: ArgumentsHost): void {
    const exception = isConnectionError(thrown)
      ? new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, thrown)
      : thrown;
    this.problems.catch(exception, host);
  }
}
