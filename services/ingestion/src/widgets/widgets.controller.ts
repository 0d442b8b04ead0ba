import { type Page } from '@ihf/platform';
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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
import { WidgetsService } from './widgets.service.js';

@ApiTags('widgets')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
export class WidgetsController {
  constructor(private readonly widgets: WidgetsService) {}

  @Post('hubs/:hubId/widgets')
  @Roles(...WIDGET_WRITER_ROLES)
  register(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: RegisterWidgetDto,
  ): Promise<WidgetView> {
    return this.widgets.register(user, hubId, dto);
  }

  @Get('hubs/:hubId/widgets')
  @Roles(...READER_ROLES)
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: ListWidgetsQueryDto,
  ): Promise<Page<WidgetView>> {
    return this.widgets.list(user, hubId, q);
  }

  @Get('widgets/:widgetId')
  @Roles(...READER_ROLES)
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
  ): Promise<WidgetView> {
    return this.widgets.get(user, widgetId);
  }

  @Patch('widgets/:widgetId')
  @Roles(...WIDGET_WRITER_ROLES)
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Body() dto: UpdateWidgetDto,
  ): Promise<WidgetView> {
    return this.widgets.update(user, widgetId, dto);
  }

  @Post('widgets/:widgetId/status')
  @Roles(...WIDGET_WRITER_ROLES)
  changeStatus(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
    @Body() dto: ChangeWidgetStatusDto,
  ): Promise<WidgetView> {
    return this.widgets.changeStatus(user, widgetId, dto.status);
  }

  @Get('widgets/:widgetId/versions')
  @Roles(...READER_ROLES)
  versions(
    @CurrentUser() user: AuthenticatedUser,
    @Param('widgetId', ParseUUIDPipe) widgetId: string,
  ): Promise<{ items: WidgetVersionView[] }> {
    return this.widgets.versions(user, widgetId);
  }
}
