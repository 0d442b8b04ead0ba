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
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES as READERS } from '../common/roles.js';
import { CreateHubDto, type HubView, PageQueryDto, UpdateHubDto } from './dto/hub.dto.js';
import { HubResponse } from './dto/hub.response.js';
import { HubsService } from './hubs.service.js';

@ApiTags('hubs')
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs')
export class HubsController {
  constructor(private readonly hubs: HubsService) {}

  @Post()
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Create a hub',
    description: 'A hub groups the widgets, API keys and events of one site. Admins only.',
    response: { status: 201, description: 'The new hub', type: HubResponse },
    body: true,
    problems: { 403: [], 409: ['INGESTION.HUB_SLUG_TAKEN'] },
  })
  create(@Body() dto: CreateHubDto): Promise<HubView> {
    return this.hubs.create(dto);
  }

  @Get()
  @Roles(...READERS)
  @IngestionOperationDoc({
    summary: 'List hubs',
    description: 'The hubs the caller may read (admins: all), by slug; keyset-paginated.',
    response: { status: 200, description: 'A page of hubs', type: HubResponse, page: true },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: [] },
  })
  list(@CurrentUser() user: AuthenticatedUser, @Query() q: PageQueryDto): Promise<Page<HubView>> {
    return this.hubs.list(user, q.limit, q.cursor);
  }

  @Get(':hubId')
  @Roles(...READERS)
  @IngestionOperationDoc({
    summary: 'Get a hub',
    description: 'One hub the caller is a member of (admins: any).',
    response: { status: 200, description: 'The hub', type: HubResponse },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'], 404: ['INGESTION.HUB_NOT_FOUND'] },
    uuidParams: ['hubId'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<HubView> {
    return this.hubs.get(user, hubId);
  }

  @Patch(':hubId')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Change a hub',
    description: 'Changes the slug, name or domain of a hub. Admins only.',
    response: { status: 200, description: 'The changed hub', type: HubResponse },
    body: true,
    problems: { 403: [], 404: ['INGESTION.HUB_NOT_FOUND'], 409: ['INGESTION.HUB_SLUG_TAKEN'] },
    uuidParams: ['hubId'],
  })
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: UpdateHubDto,
  ): Promise<HubView> {
    return this.hubs.update(user, hubId, dto);
  }
}
