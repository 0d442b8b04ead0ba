import { Body, Controller, Get, Param, ParseUUIDPipe, Post, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { ApiKeysService } from './api-keys.service.js';
import { type ApiKeyView, CreateApiKeyDto, type CreatedApiKeyView } from './dto/api-key.dto.js';
import { ApiKeyResponse, CreatedApiKeyResponse } from './dto/api-key.response.js';

@ApiTags('api-keys')
@UseFilters(RetryAfterFilter)
@Controller('api/v1/hubs/:hubId/api-keys')
@Roles(Role.Admin)
export class ApiKeysController {
  constructor(private readonly keys: ApiKeysService) {}

  @Post()
  @IngestionOperationDoc({
    summary: 'Create an API key of a hub',
    description:
      'The browser SDK reports with it. The full key is in this answer only (it is stored hashed). Admins only.',
    response: { status: 201, description: 'The key, with its secret', type: CreatedApiKeyResponse },
    body: true,
    problems: { 403: [], 404: ['INGESTION.HUB_NOT_FOUND'] },
    uuidParams: ['hubId'],
  })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() dto: CreateApiKeyDto,
  ): Promise<CreatedApiKeyView> {
    return this.keys.create(user, hubId, dto);
  }

  @Get()
  @IngestionOperationDoc({
    summary: "List a hub's API keys",
    description: 'Every key of the hub, revoked ones included, without secrets. Admins only.',
    response: { status: 200, description: 'The keys', type: ApiKeyResponse, list: true },
    problems: { 400: [], 403: [], 404: ['INGESTION.HUB_NOT_FOUND'] },
    uuidParams: ['hubId'],
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<{ items: ApiKeyView[] }> {
    return this.keys.list(user, hubId);
  }

  @Post(':keyId/revoke')
  @IngestionOperationDoc({
    summary: 'Revoke an API key',
    description: 'The key stops authenticating at once (caches included). Idempotent. Admins only.',
    response: { status: 201, description: 'The revoked key', type: ApiKeyResponse },
    problems: { 400: [], 403: [], 404: ['INGESTION.API_KEY_NOT_FOUND'] },
    uuidParams: ['hubId', 'keyId'],
  })
  revoke(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('keyId', ParseUUIDPipe) keyId: string,
  ): Promise<ApiKeyView> {
    return this.keys.revoke(user, hubId, keyId);
  }
}
