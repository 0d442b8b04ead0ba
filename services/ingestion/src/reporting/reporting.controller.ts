import { Body, Controller, Headers, HttpCode, Post, Res, UseFilters } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { ApiBody, ApiExtraModels, ApiHeader, ApiTags, getSchemaPath } from '@nestjs/swagger';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { type ReportResponse } from './dto/report.dto.js';
import { InteractionEventBatchRequest, InteractionEventRequest } from './dto/report.request.js';
import { ReportAcceptedResponse } from './dto/report.response.js';
import { ReportingService } from './reporting.service.js';

@ApiTags('reporting')
@Controller('api/v1/interaction-events')
@ApiKeyAuth()
@UseFilters(RetryAfterFilter)
export class ReportingController {
  constructor(private readonly reporting: ReportingService) {}

  /** One event or a batch; 202 once every accepted event is committed, with a result per event. */
  @Post()
  @HttpCode(202)
  @IngestionOperationDoc({
    summary: 'Report interaction events',
    description:
      'One event, an array of events, or `{ "events": [...] }`, authenticated with the hub\'s API key; ' +
      'the body may be gzip-compressed (`Content-Encoding: gzip`). Each event is checked against the active ' +
      'reporting contract and answered at its position: accepted, duplicate (same id seen before) or rejected ' +
      '(with the rule; rejected events are quarantined). The answer comes once every accepted event is committed. ' +
      'A 503 or a time-out means the outcome is unknown: resend with the same ids, which is safe.',
    auth: 'api-key',
    response: { status: 202, description: 'A result per event', type: ReportAcceptedResponse },
    body: true,
    problems: {
      400: ['INGESTION.INVALID_BATCH', 'REQUEST.INVALID_GZIP'],
      413: ['INGESTION.BATCH_TOO_LARGE'],
      415: ['REQUEST.UNSUPPORTED_CONTENT_ENCODING'],
      429: ['INGESTION.RATE_LIMITED'],
      503: ['INGESTION.STORAGE_UNAVAILABLE', 'INGESTION.OVERLOADED'],
    },
  })
  @ApiHeader({
    name: 'Content-Encoding',
    required: false,
    description: 'gzip to send the body compressed (the decompressed size is limited too)',
    schema: { type: 'string', enum: ['gzip', 'x-gzip', 'identity'] },
  })
  @ApiExtraModels(InteractionEventRequest, InteractionEventBatchRequest)
  @ApiBody({
    required: true,
    schema: {
      oneOf: [
        { $ref: getSchemaPath(InteractionEventRequest) },
        { type: 'array', items: { $ref: getSchemaPath(InteractionEventRequest) }, minItems: 1 },
        { $ref: getSchemaPath(InteractionEventBatchRequest) },
      ],
    },
  })
  report(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ReportResponse> {
    return this.reporting.report(key, body, contentType, connectionClosed(reply));
  }
}

/**
 * Aborted when the client's connection closes before this request is answered (the client
 * timed out or went away): the group commit then leaves its events out.
 */
function connectionClosed(reply: FastifyReply): AbortSignal {
  const gone = new AbortController();
  const response = reply.raw;
  // 'close' after the answer was sent is the normal end; only an earlier one means gone.
  response.once('close', () => {
    if (!response.writableFinished) gone.abort();
  });
  return gone.signal;
}
