import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Max,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';
import { WIDGET_STATUSES, type WidgetStatus } from '@ihf/contracts';

/** A widget is registered active or deprecated, never already retired. */
const REGISTRABLE_WIDGET_STATUSES = WIDGET_STATUSES.filter((s) => s !== 'retired');

export class RegisterWidgetDto {
  @ApiProperty({ example: 'Checkout button' })
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name!: string;

  @ApiProperty({ example: 'button' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  widget_type!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  capability_ref?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  view_context?: string;

  @ApiPropertyOptional({ default: 'internal' })
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  policy_scope?: string;

  @ApiPropertyOptional({ enum: REGISTRABLE_WIDGET_STATUSES, default: 'active' })
  @IsOptional()
  @IsIn(REGISTRABLE_WIDGET_STATUSES)
  status?: WidgetStatus;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  adapter_spec_id?: string;
}

/** Changes to a widget's definition; `null` clears an optional field. */
export class UpdateWidgetDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  name?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  widget_type?: string;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  capability_ref?: string | null;

  @ApiPropertyOptional({ type: String, nullable: true })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  view_context?: string | null;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  policy_scope?: string;

  @ApiPropertyOptional({ type: String, format: 'uuid', nullable: true })
  @IsOptional()
  @IsUUID()
  adapter_spec_id?: string | null;
}

export class ChangeWidgetStatusDto {
  @ApiProperty({ enum: WIDGET_STATUSES })
  @IsIn(WIDGET_STATUSES)
  status!: WidgetStatus;
}

export class ListWidgetsQueryDto {
  @ApiPropertyOptional({ enum: WIDGET_STATUSES })
  @IsOptional()
  @IsIn(WIDGET_STATUSES)
  status?: WidgetStatus;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  widget_type?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  adapter_spec_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  view_context?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  policy_scope?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 500, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export interface WidgetView {
  readonly id: string;
  readonly hub_id: string;
  readonly name: string;
  readonly widget_type: string;
  readonly capability_ref: string | null;
  readonly view_context: string | null;
  readonly policy_scope: string;
  readonly status: WidgetStatus;
  readonly version: number;
  readonly adapter_spec_id: string | null;
  readonly created_at: string;
  readonly updated_at: string;
}

export interface WidgetVersionView {
  readonly widget_id: string;
  readonly version: number;
  readonly snapshot: Record<string, unknown>;
  readonly created_at: string;
}
