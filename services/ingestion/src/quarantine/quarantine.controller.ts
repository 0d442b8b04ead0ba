import { type Page } from '@ihf/platform';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES } from '../common/roles.js';
import {
  ListQuarantineQueryDto,
  type QuarantineCountView,
  type QuarantineEntryView,
  ReplayQuarantineDto,
  type ReplayResponse,
} from './dto/quarantine.dto.js';
import {
  QuarantineCountsResponse,
  QuarantineEntryResponse,
  ReplayQuarantineResponse,
} from './dto/quarantine.response.js';
import { QuarantineService } from './quarantine.service.js';

@ApiTags('quarantine')
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs/:hubId/quarantine')
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @Get()
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: "List a hub's quarantined events",
    description:
      'Events and annotations refused by a contract, kept with the reason so that they can be fixed and replayed; newest first, keyset-paginated.',
    response: {
      status: 200,
      description: 'A page of entries',
      type: QuarantineEntryResponse,
      page: true,
    },
    problems: {
      400: ['REQUEST.INVALID_CURSOR'],
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.HUB_NOT_FOUND'],
    },
    uuidParams: ['hubId'],
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: ListQuarantineQueryDto,
  ): Promise<Page<QuarantineEntryView>> {
    return this.quarantine.list(user, hubId, q);
  }

  @Get('counts')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: "Count a hub's quarantined events by reason",
    description: 'Counts per reason, rule and contract, and the total.',
    response: { status: 200, description: 'The counts', type: QuarantineCountsResponse },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'], 404: ['INGESTION.HUB_NOT_FOUND'] },
    uuidParams: ['hubId'],
  })
  counts(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<{ items: QuarantineCountView[]; total: number }> {
    return this.quarantine.counts(user, hubId);
  }

  @Post('replay')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Governor)
  @IngestionOperationDoc({
    summary: 'Replay quarantined events',
    description:
      'Checks the chosen entries (default: the oldest) again against the active contracts; accepted ones are stored as if just reported. Admins and governors.',
    response: { status: 200, description: 'A result per entry', type: ReplayQuarantineResponse },
    body: true,
    problems: {
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.HUB_NOT_FOUND'],
      503: ['INGESTION.STORAGE_UNAVAILABLE'],
    },
    uuidParams: ['hubId'],
  })
  replay(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: ReplayQuarantineDto,
  ): Promise<ReplayResponse> {
    return this.quarantine.replay(user, hubId, dto);
  }
}
