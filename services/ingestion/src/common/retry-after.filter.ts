import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ProblemFilter } from '@ihf/observability';
import { IngestionConfig } from '../config/ingestion.config.js';
import { ClientGoneError } from './client-gone.error.js';
import { isConnectionError, StorageUnavailableError } from './unavailable.error.js';

/**
 * Answers a lost Postgres connection as 503 `INGESTION.STORAGE_UNAVAILABLE` with the service's
 * configured Retry-After (the shared {@link ProblemFilter} would answer a generic
 * `SERVICE.UNAVAILABLE`), then answers with the {@link ProblemFilter}, which sends `Retry-After`;
 * a report whose client has gone ({@link ClientGoneError}) is not answered at all. Applied with `@UseFilters` on every controller, so that it
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
    if (thrown instanceof ClientGoneError) {
      // The connection is closed already: nothing to send, no answer to log as one.
      host.switchToHttp().getResponse<FastifyReply>().raw.destroy();
      return;
    }
    const exception = isConnectionError(thrown)
      ? new StorageUnavailableError(this.config.INGESTION_RETRY_AFTER_SEC, thrown)
      : thrown;
    this.problems.catch(exception, host);
  }
}
