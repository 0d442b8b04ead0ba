import { Body, Controller, Get, Param, ParseUUIDPipe, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { ApiKeysService } from './api-keys.service.js';
import { type ApiKeyView, CreateApiKeyDto, type CreatedApiKeyView } from './dto/api-key.dto.js';

@ApiTags('api-keys')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs/:hubId/api-keys')
@Roles(Role.Admin)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyView> {
    return this.keys.create(user, hubId, dto);
  }

  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<{ items: ApiKeyView[] }> {
    return this.keys.list(user, hubId);
  }

  @Post(':keyId/revoke')
  revoke(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('keyId', ParseUUIDPipe) keyId: string,
  ): Promise<ApiKeyView> {
    return this.keys.revoke(user, hubId, keyId);
  }
}
