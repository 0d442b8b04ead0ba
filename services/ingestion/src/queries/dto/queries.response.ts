import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { BUCKETS, type EventCountView, type InteractionEventView } from './queries.dto.js';

export class InteractionEventResponse implements InteractionEventView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  widget_version!: number;

  @ApiProperty({ example: 'clicked' })
  event_type!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  actor_id!: string | null;

  @ApiProperty({ example: 'user' })
  actor_type!: string;

  @ApiProperty({ type: String, nullable: true })
  view_context_ref!: string | null;

  @ApiProperty({ type: 'object', additionalProperties: true })
  metadata!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  occurred_at!: string;

  @ApiProperty({ format: 'date-time' })
  received_at!: string;
}

export class EventCountResponse implements EventCountView {
  @ApiProperty({ format: 'date-time' })
  bucket_start!: string;

  @ApiProperty({ example: 'clicked' })
  event_type!: string;

  @ApiPropertyOptional({ type: 'integer', description: 'With `by_version=true` only' })
  widget_version?: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  count!: number;
}

export class EventCountsResponse {
  @ApiProperty({ enum: BUCKETS })
  bucket!: string;

  @ApiProperty({ format: 'date-time' })
  from!: string;

  @ApiProperty({ format: 'date-time' })
  to!: string;

  @ApiProperty({ type: [EventCountResponse] })
  items!: EventCountResponse[];
}
