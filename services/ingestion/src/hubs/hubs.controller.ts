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
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES as READERS } from '../common/roles.js';
import { CreateHubDto, type HubView, PageQueryDto, UpdateHubDto } from './dto/hub.dto.js';
import { HubsService } from './hubs.service.js';

@ApiTags('hubs')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs')
export class HubsController {
  constructor(private readonly hubs: HubsService) {}

  @Post()
  @Roles(Role.Admin)
  create(@Body() dto: CreateHubDto): Promise<HubView> {
    return this.hubs.create(dto);
  }

  @Get()
  @Roles(...READERS)
  list(@CurrentUser() user: AuthenticatedUser, @Query() q: PageQueryDto): Promise<Page<HubView>> {
    return this.hubs.list(user, q.limit, q.cursor);
  }

  @Get(':hubId')
  @Roles(...READERS)
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<HubView> {
    return this.hubs.get(user, hubId);
  }

  @Patch(':hubId')
  @Roles(Role.Admin)
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: UpdateHubDto,
  ): Promise<HubView> {
    return this.hubs.update(user, hubId, dto);
  }
}
