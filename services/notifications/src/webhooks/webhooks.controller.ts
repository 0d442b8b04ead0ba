import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Patch,
  Post,
  Query,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { ApiOperationDoc, type Page } from '@ihf/platform';
import {
  CreateWebhookEndpointDto,
  DeliveryQueryDto,
  ReplayedView,
  ReplayRangeDto,
  UpdateWebhookEndpointDto,
  WebhookDeliveryDetailView,
  WebhookDeliveryView,
  WebhookEndpointView,
  WebhookEndpointWithSecretView,
} from './dto/webhook.dto.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';

const ADMIN_403 = ['NOTIFICATIONS.HUB_ADMIN_REQUIRED'];
const ENDPOINT_404 = ['NOTIFICATIONS.WEBHOOK_ENDPOINT_NOT_FOUND'];

@ApiTags('webhooks')
@Controller('api/v1/hubs/:hubId/webhooks')
@Roles(Role.Admin)
export class WebhooksController {
  constructor(private readonly endpoints: WebhookEndpointsService) {}

  @Post()
  @ApiOperationDoc({
    summary: 'Create a webhook endpoint',
    description:
      "Subscribes a URL to event types of the hub. Every delivery is signed per Standard Webhooks (`webhook-id`, `webhook-timestamp`, `webhook-signature`) with the `whsec_` secret answered here, once. Private, loopback and link-local destinations are refused unless the deployment's allow-list names them.",
    response: {
      status: 201,
      description: 'The endpoint and its secret',
      type: WebhookEndpointWithSecretView,
    },
    body: true,
    problems: { 403: ADMIN_403, 422: ['NOTIFICATIONS.WEBHOOK_DESTINATION_REFUSED'] },
    uuidParams: ['hubId'],
  })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretView> {
    return this.endpoints.create(user, hubId, body);
  }

  @Get()
  @ApiOperationDoc({
    summary: "List a hub's webhook endpoints",
    description: "The hub's endpoints, newest first (secrets are never listed).",
    response: { status: 200, description: 'The endpoints', type: WebhookEndpointView, list: true },
    problems: { 400: [], 403: ADMIN_403 },
    uuidParams: ['hubId'],
  })
  async list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<{ items: WebhookEndpointView[] }> {
    return { items: await this.endpoints.list(user, hubId) };
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get a webhook endpoint',
    description: 'One endpoint of the hub, with its status and why it was disabled, if it was.',
    response: { status: 200, description: 'The endpoint', type: WebhookEndpointView },
    problems: { 400: [], 403: ADMIN_403, 404: ENDPOINT_404 },
    uuidParams: ['hubId', 'id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.get(user, hubId, id);
  }

  @Patch(':id')
  @ApiOperationDoc({
    summary: 'Change a webhook endpoint',
    description:
      'Changes the URL, event types, description or status (`active` re-enables a disabled endpoint; its pending deliveries resume). An absent field keeps its value.',
    response: { status: 200, description: 'The endpoint', type: WebhookEndpointView },
    body: true,
    problems: {
      403: ADMIN_403,
      404: ENDPOINT_404,
      422: ['NOTIFICATIONS.WEBHOOK_DESTINATION_REFUSED'],
    },
    uuidParams: ['hubId', 'id'],
  })
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointView> {
    return this.endpoints.update(user, hubId, id, body);
  }

  @Delete(':id')
  @HttpCode(204)
  @ApiOperationDoc({
    summary: 'Delete a webhook endpoint',
    description: 'Deletes the endpoint with its delivery log.',
    response: { status: 204, description: 'Deleted' },
    problems: { 400: [], 403: ADMIN_403, 404: ENDPOINT_404 },
    uuidParams: ['hubId', 'id'],
  })
  async remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<void> {
    await this.endpoints.remove(user, hubId, id);
  }

  @Post(':id/rotate-secret')
  @HttpCode(200)
  @ApiOperationDoc({
    summary: "Rotate a webhook endpoint's secret",
    description:
      'Answers a new secret, once. Until `previous_secret_valid_until` every delivery carries two signatures, by the new and the previous secret, so the receiver can switch at any time in between.',
    response: {
      status: 200,
      description: 'The endpoint and its new secret',
      type: WebhookEndpointWithSecretView,
    },
    problems: { 400: [], 403: ADMIN_403, 404: ENDPOINT_404 },
    uuidParams: ['hubId', 'id'],
  })
  rotate(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<WebhookEndpointWithSecretView> {
    return this.endpoints.rotateSecret(user, hubId, id);
  }

  @Get(':id/deliveries')
  @ApiOperationDoc({
    summary: "An endpoint's delivery log",
    description:
      'Deliveries newest first, each with its status, attempts, last status code and response time.',
    response: {
      status: 200,
      description: 'A page of deliveries',
      type: WebhookDeliveryView,
      page: true,
    },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ADMIN_403, 404: ENDPOINT_404 },
    uuidParams: ['hubId', 'id'],
  })
  deliveries(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Query() q: DeliveryQueryDto,
  ): Promise<Page<WebhookDeliveryView>> {
    return this.endpoints.deliveries(user, hubId, id, q);
  }

  @Get(':id/deliveries/:deliveryId')
  @ApiOperationDoc({
    summary: 'A delivery and its attempts',
    description:
      'One delivery with every attempt: when, the status code, the response time, the error.',
    response: { status: 200, description: 'The delivery', type: WebhookDeliveryDetailView },
    problems: {
      400: [],
      403: ADMIN_403,
      404: [...ENDPOINT_404, 'NOTIFICATIONS.WEBHOOK_DELIVERY_NOT_FOUND'],
    },
    uuidParams: ['hubId', 'id', 'deliveryId'],
  })
  delivery(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryDetailView> {
    return this.endpoints.delivery(user, hubId, id, deliveryId);
  }

  @Post(':id/deliveries/:deliveryId/replay')
  @HttpCode(202)
  @ApiOperationDoc({
    summary: 'Replay a delivery',
    description:
      "Queues the delivery's event for the endpoint again, as a new delivery with the same `webhook-id`.",
    response: { status: 202, description: 'The queued delivery', type: WebhookDeliveryView },
    problems: {
      400: [],
      403: ADMIN_403,
      404: [...ENDPOINT_404, 'NOTIFICATIONS.WEBHOOK_DELIVERY_NOT_FOUND'],
    },
    uuidParams: ['hubId', 'id', 'deliveryId'],
  })
  replay(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('deliveryId', ParseUUIDPipe) deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    return this.endpoints.replay(user, hubId, id, deliveryId);
  }

  @Post(':id/replay')
  @HttpCode(202)
  @ApiOperationDoc({
    summary: 'Replay a time range',
    description:
      'Queues again every (original) delivery of the endpoint created in [`from`, `to`), at most 1000 per call.',
    response: { status: 202, description: 'How many were queued', type: ReplayedView },
    body: true,
    problems: {
      403: ADMIN_403,
      404: ENDPOINT_404,
      422: ['NOTIFICATIONS.REPLAY_RANGE_INVALID', 'NOTIFICATIONS.REPLAY_RANGE_TOO_LARGE'],
    },
    uuidParams: ['hubId', 'id'],
  })
  async replayRange(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ReplayRangeDto,
  ): Promise<ReplayedView> {
    return { replayed: await this.endpoints.replayRange(user, hubId, id, body.from, body.to) };
  }
}
