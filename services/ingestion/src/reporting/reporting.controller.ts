import { Body, Controller, Headers, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { type ReportResponse } from './dto/report.dto.js';
import { ReportingService } from './reporting.service.js';

@ApiTags('reporting')
@ApiBearerAuth()
@Controller('api/v1/interaction-events')
@ApiKeyAuth()
@UseFilters(RetryAfterFilter)
export class ReportingController {
  constructor(private readonly reporting: ReportingService) {}

  /** One event or a batch; 202 once every accepted event is committed, with a result per event. */
  @Post()
  @HttpCode(202)
  report(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Headers('content-type') contentType: string | undefined,
    @Body() body: unknown,
  ): Promise<ReportResponse> {
    return this.reporting.report(key, body, contentType);
  }
}
