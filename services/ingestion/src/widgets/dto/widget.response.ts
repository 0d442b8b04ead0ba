import { ApiProperty } from '@nestjs/swagger';
import { WIDGET_STATUSES, type WidgetStatus } from '@ihf/contracts';
import { type WidgetVersionView, type WidgetView } from './widget.dto.js';

export class WidgetResponse implements WidgetView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ example: 'Checkout button' })
  name!: string;

  @ApiProperty({ example: 'button' })
  widget_type!: string;

  @ApiProperty({ type: String, nullable: true })
  capability_ref!: string | null;

  @ApiProperty({ type: String, nullable: true, example: 'checkout' })
  view_context!: string | null;

  @ApiProperty({ example: 'internal' })
  policy_scope!: string;

  @ApiProperty({ enum: WIDGET_STATUSES })
  status!: WidgetStatus;

  @ApiProperty({ type: 'integer', minimum: 1, description: 'Raised by every change' })
  version!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  adapter_spec_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class WidgetVersionResponse implements WidgetVersionView {
  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty({ type: 'integer', minimum: 1 })
  version!: number;

  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'The widget definition as it was at this version',
  })
  snapshot!: Record<string, unknown>;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;
}
