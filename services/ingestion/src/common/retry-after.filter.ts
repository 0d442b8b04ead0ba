import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { ProblemFilter } from '@ihf/observability';
import { IngestionConfig } from '../config/ingestion.config.js';
import { hasRetryAfter, isConnectionError, StorageUnavailableError } from './unavailable.error.js';

/**
 * Answers a lost Postgres connection as 503 `INGESTION.STORAGE_UNAVAILABLE` (not 500) and adds
 * `Retry-After` to the problem of an error that carries one (429, 503), then answers with the
 * service's {@link ProblemFilter}. Applied with `@UseFilters` on every controller, so that it
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
    if (host.getType() === 'http' && hasRetryAfter(exception)) {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    this.problems.catch(exception, host);
  }
}
