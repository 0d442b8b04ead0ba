import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';

/**
 * One interaction event as a client reports it. The body is checked by the event validator
 * against the active reporting contract (not by a DTO), so that a refused event is answered
 * per event and quarantined instead of failing the whole batch; this class documents it.
 */
export class InteractionEventRequest {
  @ApiProperty({ format: 'uuid', description: 'Chosen by the client; a resend is a duplicate' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiPropertyOptional({ format: 'uuid', description: "The widget's hub, when sent" })
  hub_id?: string;

  @ApiProperty({ example: 'clicked', description: "One of the contract's accepted event types" })
  event_type!: string;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  actor_id?: string;

  @ApiPropertyOptional({ example: 'user', default: 'user' })
  actor_type?: string;

  @ApiPropertyOptional({ example: 'checkout' })
  view_context_ref?: string;

  @ApiPropertyOptional({ type: 'object', additionalProperties: true })
  metadata?: Record<string, unknown>;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: "The widget version the client rendered; default the widget's current one",
  })
  widget_version?: number;
}

/** The batch form of the body: `{ "events": [...] }`. */
export class InteractionEventBatchRequest {
  @ApiProperty({ type: [InteractionEventRequest], minItems: 1 })
  events!: InteractionEventRequest[];
}
