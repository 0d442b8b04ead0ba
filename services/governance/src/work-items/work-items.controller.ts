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
import { ApiTags } from '@nestjs/swagger';
import { type FastifyRequest } from 'fastify';
import { type AuthenticatedUser, CurrentUser, Public, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { GithubDeliveryBody } from '../common/openapi.js';
import { GOVERN_ROLES } from '../common/roles.js';
import {
  HubSettingsView,
  TrackerSettingsDto,
  WebhookAnswerView,
  WebhookSecretDto,
} from './dto/hub-settings.dto.js';
import { rawBodyOf } from './raw-body.js';
import { WorkItemsService } from './work-items.service.js';

@ApiTags('work-items')
@Controller('api/v1')
export class WorkItemsController {
  constructor(private readonly workItems: WorkItemsService) {}

  @Get('hubs/:hubId/tracker-settings')
  @ApiOperationDoc({
    summary: "Get a hub's tracker settings",
    description:
      "The base URLs of the hub's trackers, whether a GitHub webhook secret is set, and the webhook's path.",
    response: { status: 200, description: 'The settings', type: HubSettingsView },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'] },
    uuidParams: ['hubId'],
  })
  settings(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<HubSettingsView> {
    return this.workItems.settings(user, hubId);
  }

  @Put('hubs/:hubId/tracker-settings')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: "Set a hub's tracker settings",
    description:
      'Sets the base URLs work-item links are built from: `null` clears one, an absent field keeps it.',
    response: { status: 200, description: 'The settings', type: HubSettingsView },
    body: true,
    problems: { 403: ['AUTH.HUB_ACCESS_DENIED', 'GOVERNANCE.GOVERNOR_REQUIRED'] },
    uuidParams: ['hubId'],
  })
  putSettings(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: TrackerSettingsDto,
  ): Promise<HubSettingsView> {
    return this.workItems.putTrackerSettings(user, hubId, body);
  }

  /** Sets the secret GitHub signs the hub's deliveries with (stored encrypted, never returned). */
  @Put('hubs/:hubId/github-webhook-secret')
  @Roles(...GOVERN_ROLES)
  @HttpCode(204)
  @ApiOperationDoc({
    summary: "Set a hub's GitHub webhook secret",
    description:
      "Sets the secret GitHub signs the hub's webhook deliveries with; it is stored encrypted and never returned.",
    response: { status: 204, description: 'The secret is set' },
    body: true,
    problems: {
      403: ['AUTH.HUB_ACCESS_DENIED', 'GOVERNANCE.GOVERNOR_REQUIRED'],
      503: ['GOVERNANCE.SECRET_KEY_MISSING'],
    },
    uuidParams: ['hubId'],
  })
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
  @ApiOperationDoc({
    summary: "GitHub's webhook",
    description:
      "Receives GitHub's `issues` and `pull_request` events for the hub (content type `application/json`) and updates the states of linked work items. No token: each delivery is verified with `X-Hub-Signature-256` over the raw body and the hub's secret, and processed once per `X-GitHub-Delivery`.",
    auth: 'public',
    response: {
      status: 200,
      description: 'What the delivery changed',
      type: WebhookAnswerView,
    },
    bodyType: GithubDeliveryBody,
    problems: {
      400: ['GOVERNANCE.WEBHOOK_DELIVERY_INVALID'],
      401: ['GOVERNANCE.WEBHOOK_SIGNATURE_INVALID'],
    },
    uuidParams: ['hubId'],
  })
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
