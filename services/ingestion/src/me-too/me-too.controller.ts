import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey } from '@ihf/auth';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { type MeTooAnswer, SubmitMeTooDto } from './dto/me-too.dto.js';
import { MeTooAcceptedResponse } from './dto/me-too.response.js';
import { MeTooService } from './me-too.service.js';

@ApiTags('reporting')
@Controller('api/v1/me-too')
@ApiKeyAuth()
@UseFilters(RetryAfterFilter)
export class MeTooController {
  constructor(private readonly meToo: MeTooService) {}

  /** 202 once the "me too" is durable (its outbox row committed). */
  @Post()
  @HttpCode(202)
  @IngestionOperationDoc({
    summary: 'Say "me too" about a requirement candidate',
    description:
      "An end user of the hub's site has the same problem as a known candidate; authenticated with the hub's API key. The candidate is checked with feedback (422 when feedback says it is not in the hub; accepted when feedback does not answer in time). Answered once durable; feedback then counts it once per reporter_id. A resend with the same id is a duplicate.",
    auth: 'api-key',
    response: {
      status: 202,
      description: 'Stored (or already stored)',
      type: MeTooAcceptedResponse,
    },
    body: true,
    problems: {
      422: ['INGESTION.ME_TOO_REFUSED'],
      503: ['INGESTION.STORAGE_UNAVAILABLE'],
    },
  })
  submit(@CurrentApiKey() key: ApiKeyPrincipal, @Body() dto: SubmitMeTooDto): Promise<MeTooAnswer> {
    return this.meToo.submit(key, dto);
  }
}
