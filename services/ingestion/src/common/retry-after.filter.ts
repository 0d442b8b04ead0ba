import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import { type FastifyReply } from 'fastify';
import { ProblemFilter } from '@ihf/observability';
import { hasRetryAfter } from './unavailable.error.js';

/**
 * Adds `Retry-After` to the problem of an error that carries one (429, 503), then answers with
 * the service's {@link ProblemFilter}. Applied with `@UseFilters` on the reporting controllers,
 * so that it also sees errors from guards (the API-key check may find Postgres down).
 */
@Catch()
@Injectable()
export class RetryAfterFilter implements ExceptionFilter {
  constructor(@Inject(ProblemFilter) private readonly problems: ProblemFilter) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    if (host.getType() === 'http' && hasRetryAfter(exception)) {
      const reply = host.switchToHttp().getResponse<FastifyReply>();
      void reply.header('retry-after', String(exception.retryAfterSeconds));
    }
    this.problems.catch(exception, host);
  }
}
