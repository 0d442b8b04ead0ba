import { Module } from '@nestjs/common';
import { WebhookDispatcher } from './webhook-dispatcher.worker.js';
import { WebhookEndpointsService } from './webhook-endpoints.service.js';
import { WebhookFanOutHandlers } from './webhook-fanout.handlers.js';
import { WebhooksController } from './webhooks.controller.js';

@Module({
  controllers: [WebhooksController],
  providers: [WebhookEndpointsService, WebhookFanOutHandlers, WebhookDispatcher],
})
export class WebhooksModule {}
