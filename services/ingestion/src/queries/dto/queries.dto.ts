import { ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { type EventRow } from '../../reporting/group-commit.writer.js';

export class EventsQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the range (inclusive); default 24 h before `to`',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End of the range (exclusive); default now',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  event_type?: string;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 1000, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(1000)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}

export const BUCKETS = ['minute', 'hour', 'day'] as const;
export type Bucket = (typeof BUCKETS)[number];

export class CountsQueryDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description: 'Start of the range (inclusive); default 24 h before `to`',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({
    format: 'date-time',
    description: 'End of the range (exclusive); default now',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;

  @ApiPropertyOptional({ enum: BUCKETS, default: 'hour' })
  @IsOptional()
  @IsIn(BUCKETS)
  bucket?: Bucket;

  @ApiPropertyOptional({
    type: 'boolean',
    description: 'Also split the counts by the widget version reported against',
  })
  @IsOptional()
  @Transform(({ value }) => value === 'true' || value === true)
  @IsBoolean()
  by_version?: boolean;
}

/** A stored interaction event on the wire: the row as written, and when it was received. */
export interface InteractionEventView extends EventRow {
  readonly received_at: string;
}

export interface EventCountView {
  readonly bucket_start: string;
  readonly event_type: string;
  readonly widget_version?: number;
  readonly count: number;
}
