import { Controller, Get, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import { PublicRoute } from '../http/public-route.decorator.js';
import type { FastifyReply } from 'fastify';
import { MetricsService } from './metrics.service.js';

/** `GET /metrics`: Prometheus scrape endpoint (text exposition format). */
@ApiExcludeController()
// Probes and scrapers carry no token.
@PublicRoute()
@Controller('metrics')
export class MetricsController {
  constructor(private readonly metrics: MetricsService) {}

  @Get()
  async scrape(@Res({ passthrough: true }) reply: FastifyReply): Promise<string> {
    void reply.header('content-type', this.metrics.contentType);
    return this.metrics.metrics();
  }
}
