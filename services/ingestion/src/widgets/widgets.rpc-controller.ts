import { Controller } from '@nestjs/common';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { RpcPatterns, type WidgetGetResponseV1 } from '@ihf/contracts';
import { WidgetsService } from './widgets.service.js';

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Widget look-up for other services over NATS request/reply. */
@Controller()
export class WidgetsRpcController {
  constructor(private readonly widgets: WidgetsService) {}

  @MessagePattern(RpcPatterns.Ingestion.WidgetGetV1)
  async get(@Payload() data: unknown): Promise<WidgetGetResponseV1> {
    const id = (data as { widget_id?: unknown } | null)?.widget_id;
    if (typeof id !== 'string' || !UUID_RE.test(id)) {
      return { found: false, widget: null, error: 'widget_id must be a UUID' };
    }
    const widget = await this.widgets.findSnapshot(id);
    return { found: widget !== null, widget };
  }
}
