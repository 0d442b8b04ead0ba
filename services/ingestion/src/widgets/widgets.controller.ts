import { type Page } from '@ihf/platform';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import {
  Body,
  Controller,
  Get,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES, WIDGET_WRITER_ROLES } from '../common/roles.js';
import {
  ChangeWidgetStatusDto,
  ListWidgetsQueryDto,
  RegisterWidgetDto,
  UpdateWidgetDto,
  type WidgetVersionView,
  type WidgetView,
} from './dto/widget.dto.js';
import { WidgetResponse, WidgetVersionResponse } from './dto/widget.response.js';
import { WidgetsService } from './widgets.service.js';

@ApiTags('widgets')
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
export class WidgetsController {
  constructor(private readonly widgets: WidgetsService) {}

  @Post('hubs/:hubId/widgets')
  @Roles(...WIDGET_WRITER_ROLES)
  @IngestionOperationDoc({
    summary: 'Register a widget in a hub',
    description:
      'A widget is a UI element whose interactions and feedback are collected; it starts at version 1 and is announced to the other services.',
    response: { status: 201, description: 'The new widget', type: WidgetResponse },
    body: true,
    problems: {
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.HUB_NOT_FOUND'],
      422: ['INGESTION.ADAPTER_SPEC_UNKNOWN'],
    },
    uuidParams: ['hubId'],
  })
  register(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: RegisterWidgetDto,
  ): Promise<WidgetView> {
    return this.widgets.register(user, hubId, dto);
  }

  @Get('hubs/:hubId/widgets')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: "List a hub's widgets",
    description: 'Widgets of the hub, optionally by status; keyset-paginated.',
    response: { status: 200, description: 'A page of widgets', type: WidgetResponse, page: true },
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
    @Query() q: ListWidgetsQueryDto,
  ): Promise<Page<WidgetView>> {
    return this.widgets.list(user, hubId, q);
  }

  @Get('widgets/:widgetId')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'Get a widget',
    description: 'The current definition of a widget.',
    response: { status: 200, description: 'The widget', type: WidgetResponse },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'], 404: ['INGESTION.WIDGET_NOT_FOUND'] },
    uuidParams: ['widgetId'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
  ): Promise<WidgetView> {
    return this.widgets.get(user, widgetId);
  }

  @Patch('widgets/:widgetId')
  @Roles(...WIDGET_WRITER_ROLES)
  @IngestionOperationDoc({
    summary: 'Change a widget',
    description: 'Changes its definition (`null` clears an optional field); raises its version.',
    response: { status: 200, description: 'The changed widget', type: WidgetResponse },
    body: true,
    problems: {
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.WIDGET_NOT_FOUND'],
      409: ['INGESTION.WIDGET_RETIRED'],
      422: ['INGESTION.ADAPTER_SPEC_UNKNOWN'],
    },
    uuidParams: ['widgetId'],
  })
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Body() dto: UpdateWidgetDto,
  ): Promise<WidgetView> {
    return this.widgets.update(user, widgetId, dto);
  }

  @Post('widgets/:widgetId/status')
  @Roles(...WIDGET_WRITER_ROLES)
  @IngestionOperationDoc({
    summary: 'Change the status of a widget',
    description: 'active → deprecated → retired (retired is final); raises its version.',
    response: { status: 201, description: 'The changed widget', type: WidgetResponse },
    body: true,
    problems: {
      403: ['AUTH.HUB_ACCESS_DENIED'],
      404: ['INGESTION.WIDGET_NOT_FOUND'],
      409: ['INGESTION.WIDGET_TRANSITION_NOT_ALLOWED'],
    },
    uuidParams: ['widgetId'],
  })
  changeStatus(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Body() dto: ChangeWidgetStatusDto,
  ): Promise<WidgetView> {
    return this.widgets.changeStatus(user, widgetId, dto.status);
  }

  @Get('widgets/:widgetId/versions')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: "List a widget's versions",
    description: 'Every version of the widget with its definition at that version, oldest first.',
    response: { status: 200, description: 'The versions', type: WidgetVersionResponse, list: true },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'], 404: ['INGESTION.WIDGET_NOT_FOUND'] },
    uuidParams: ['widgetId'],
  })
  versions(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
  ): Promise<{ items: WidgetVersionView[] }> {
    return this.widgets.versions(user, widgetId);
  }
}
