import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import type { Logger } from 'pino';
import { PINO_LOGGER } from '../observability.tokens.js';
import { OutageLog } from './outage-log.js';
import { PROBLEM_CONTENT_TYPE } from './problem.js';
import { toProblem } from './problem.mapper.js';

/**
 * The one global exception filter of an HTTP service: answers every error as
 * `application/problem+json` (see {@link toProblem} for the mapping). Server faults (5xx) are
 * logged at `error` with the stack under the `error_id` the response carries, except 503
 * refusals, which {@link OutageLog} logs once per outage; client errors at `debug` (the
 * request line already records their status).
 *
 * Installed by the platform's bootstrap with `app.useGlobalFilters(app.get(ProblemFilter))`.
 * It also receives the errors Fastify raises before a route runs (bad JSON, body too large,
 * unknown route), because Nest routes Fastify's error and not-found handlers through the
 * global filters.
 */
@Catch()
@Injectable()
export class ProblemFilter implements ExceptionFilter {
  constructor(
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    private readonly adapterHost: HttpAdapterHost,
    @Inject(OutageLog) private readonly outages: OutageLog,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    // Only HTTP is ours; RPC and WebSocket contexts have their own error handling.
    if (host.getType() !== 'http') throw exception;
    const adapter = this.adapterHost.httpAdapter;
    const http = host.switchToHttp();
    const request: unknown = http.getRequest();
    const response: unknown = http.getResponse();
    const url = String(adapter.getRequestUrl(request));
    const instance = url.split('?')[0] ?? url;
    const { problem, serverFault, retryAfterSeconds } = toProblem(exception, instance);

    const fields = {
      error_id: problem.error_id,
      code: problem.code,
      status: problem.status,
      method: adapter.getRequestMethod(request) as string,
      path: instance,
    };
    // A 503 is a refusal while something is down: logged per outage, not per request.
    if (problem.status === 503) this.outages.refused(fields, exception);
    else if (serverFault) this.logger.error({ ...fields, err: exception }, 'Request failed');
    else this.logger.debug(fields, 'Request rejected');

    // A handler that already streamed part of its response cannot be answered again.
    if (adapter.isHeadersSent(response)) return;
    adapter.setHeader(response, 'content-type', `${PROBLEM_CONTENT_TYPE}; charset=utf-8`);
    if (retryAfterSeconds !== undefined)
      adapter.setHeader(response, 'retry-after', String(retryAfterSeconds));
    adapter.reply(response, JSON.stringify(problem), problem.status);
  }
}
