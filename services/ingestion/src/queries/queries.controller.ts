import { type Page } from '@ihf/platform';
import { Controller, Get, Param, ParseUUIDPipe, Query, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES } from '../common/roles.js';
import {
  CountsQueryDto,
  type EventCountView,
  EventsQueryDto,
  type InteractionEventView,
} from './dto/queries.dto.js';
import { QueriesService } from './queries.service.js';

@ApiTags('queries')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
@Roles(...READER_ROLES)
export class QueriesController {
  constructor(private readonly queries: QueriesService) {}

  @Get('widgets/:widgetId/events')
  widgetEvents(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Query() q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    return this.queries.widgetEvents(user, widgetId, q);
  }

  @Get('hubs/:hubId/events')
  hubEvents(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    return this.queries.hubEvents(user, hubId, q);
  }

  @Get('widgets/:widgetId/event-counts')
  widgetCounts(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Query() q: CountsQueryDto,
  ): Promise<{ bucket: string; from: string; to: string; items: EventCountView[] }> {
    return this.queries.widgetCounts(user, widgetId, q);
  }
}
