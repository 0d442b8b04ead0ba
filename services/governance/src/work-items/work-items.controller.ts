import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Put,
  Req,
} from '@nestjs/common';
import { ApiBearerAuth, ApiNoContentResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { type AuthenticatedUser, CurrentUser, Public, Roles } from '@ihf/auth';
import { ApiProblems } from '../common/openapi.js';
import { GOVERN_ROLES } from '../common/roles.js';
import {
  HubSettingsView,
  TrackerSettingsDto,
  WebhookAnswerView,
  WebhookSecretDto,
} from './dto/hub-settings.dto.js';
import { rawBodyOf } from './raw-body.js';
import { WorkItemsService } from './work-items.service.js';

@ApiTags('work items')
@Controller('api/v1')
export class WorkItemsController {
  constructor(private readonly workItems: WorkItemsService) {}

  @Get('hubs/:hubId/tracker-settings')
  @ApiBearerAuth()
  @ApiOkResponse({ type: HubSettingsView })
  @ApiProblems([403, 'AUTH.HUB_ACCESS_DENIED'])
  settings(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<HubSettingsView> {
    return this.workItems.settings(user, hubId);
  }

  @Put('hubs/:hubId/tracker-settings')
  @ApiBearerAuth()
  @Roles(...GOVERN_ROLES)
  @ApiOkResponse({ type: HubSettingsView })
  @ApiProblems([403, 'AUTH.HUB_ACCESS_DENIED or GOVERNANCE.GOVERNOR_REQUIRED'])
  putSettings(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: TrackerSettingsDto,
  ): Promise<HubSettingsView> {
    return this.workItems.putTrackerSettings(user, hubId, body);
  }

  /** Sets the secret GitHub signs the hub's deliveries with (stored encrypted, never returned). */
  @Put('hubs/:hubId/github-webhook-secret')
  @ApiBearerAuth()
  @Roles(...GOVERN_ROLES)
  @HttpCode(204)
  @ApiNoContentResponse()
  @ApiProblems(
    [403, 'AUTH.HUB_ACCESS_DENIED or GOVERNANCE.GOVERNOR_REQUIRED'],
    [503, 'GOVERNANCE.SECRET_KEY_MISSING'],
  )
  async putSecret(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: WebhookSecretDto,
  ): Promise<void> {
    await this.workItems.putWebhookSecret(user, hubId, body.secret);
  }

  /**
   * GitHub's webhook (content type application/json; events `issues` and `pull_request`),
   * verified with X-Hub-Signature-256 over the raw body and the hub's secret.
   */
  @Post('webhooks/github/:hubId')
  @Public()
  @HttpCode(200)
  @ApiOkResponse({ type: WebhookAnswerView })
  @ApiProblems(
    [400, 'GOVERNANCE.WEBHOOK_DELIVERY_INVALID'],
    [401, 'GOVERNANCE.WEBHOOK_SIGNATURE_INVALID'],
  )
  github(
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Headers('x-github-event') event: string | undefined,
    @Headers('x-github-delivery') delivery: string | undefined,
    @Headers('x-hub-signature-256') signature: string | undefined,
    @Req() request: FastifyRequest,
  ): Promise<WebhookAnswerView> {
    return this.workItems.githubDelivery(
      hubId,
      { event, delivery, signature },
      rawBodyOf(request),
      request.body,
    );
  }
}
