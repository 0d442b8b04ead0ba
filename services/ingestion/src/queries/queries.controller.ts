import { type Page } from '@ihf/platform';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { Controller, Get, Param, ParseUUIDPipe, Query, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES } from '../common/roles.js';
import {
  CountsQueryDto,
  type EventCountView,
  EventsQueryDto,
  type InteractionEventView,
} from './dto/queries.dto.js';
import { EventCountsResponse, InteractionEventResponse } from './dto/queries.response.js';
import { QueriesService } from './queries.service.js';

@ApiTags('queries')
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
@Roles(...READER_ROLES)
export class QueriesController {
  constructor(private readonly queries: QueriesService) {}

  @Get('widgets/:widgetId/events')
  @IngestionOperationDoc({
    summary: "List a widget's interaction events",
    description:
      'Stored events of the widget, newest first, optionally within a time range; keyset-paginated.',
    response: {
      status: 200,
      description: 'A page of events',
      type: InteractionEventResponse,
      page: true,
    },
    problems: {
      400: ['REQUEST.INVALID_CURSOR', 'INGESTION.INVALID_TIME_RANGE'],
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.WIDGET_NOT_FOUND'],
    },
    uuidParams: ['widgetId'],
  })
  widgetEvents(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Query() q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    return this.queries.widgetEvents(user, widgetId, q);
  }

  @Get('hubs/:hubId/events')
  @IngestionOperationDoc({
    summary: "List a hub's interaction events",
    description: 'Stored events of every widget of the hub, newest first; keyset-paginated.',
    response: {
      status: 200,
      description: 'A page of events',
      type: InteractionEventResponse,
      page: true,
    },
    problems: {
      400: ['REQUEST.INVALID_CURSOR', 'INGESTION.INVALID_TIME_RANGE'],
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.HUB_NOT_FOUND'],
    },
    uuidParams: ['hubId'],
  })
  hubEvents(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: EventsQueryDto,
  ): Promise<Page<InteractionEventView>> {
    return this.queries.hubEvents(user, hubId, q);
  }

  @Get('widgets/:widgetId/event-counts')
  @IngestionOperationDoc({
    summary: "Count a widget's events per time bucket",
    description:
      'Counts per bucket (minute, hour or day) and event type, optionally per widget version, over a time range (default: the last 24 h).',
    response: { status: 200, description: 'The counts', type: EventCountsResponse },
    problems: {
      400: ['INGESTION.INVALID_TIME_RANGE'],
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.WIDGET_NOT_FOUND'],
    },
    uuidParams: ['widgetId'],
  })
  widgetCounts(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Query() q: CountsQueryDto,
  ): Promise<{ bucket: string; from: string; to: string; items: EventCountView[] }> {
    return this.queries.widgetCounts(user, widgetId, q);
  }
}
