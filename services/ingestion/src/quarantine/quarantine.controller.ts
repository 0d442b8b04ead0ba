import { type Page } from '@ihf/platform';
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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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
import { QuarantineService } from './quarantine.service.js';

@ApiTags('quarantine')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs/:hubId/quarantine')
export class QuarantineController {
  constructor(private readonly quarantine: QuarantineService) {}

  @Get()
  @Roles(...READER_ROLES)
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: ListQuarantineQueryDto,
  ): Promise<Page<QuarantineEntryView>> {
    return this.quarantine.list(user, hubId, q);
  }

  @Get('counts')
  @Roles(...READER_ROLES)
  counts(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<{ items: QuarantineCountView[]; total: number }> {
    return this.quarantine.counts(user, hubId);
  }

  @Post('replay')
  @HttpCode(200)
  @Roles(Role.Admin, Role.Governor)
  replay(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: ReplayQuarantineDto,
  ): Promise<ReplayResponse> {
    return this.quarantine.replay(user, hubId, dto);
  }
}
