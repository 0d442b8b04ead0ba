import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  MinLength,
} from 'class-validator';

export const ANNOTATION_CATEGORIES = [
  'friction',
  'bug',
  'idea',
  'question',
  'praise',
  'accessibility',
  'other',
] as const;
export const ANNOTATION_SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export const ACTOR_TYPES = ['user', 'agent', 'system', 'anonymous'] as const;

/** Feedback an external UI submits on a widget (`POST /api/v1/annotations`). */
export class SubmitAnnotationDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Chosen by the client, so that a retry is recognised',
  })
  @IsUUID()
  id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  hub_id!: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  widget_id!: string;

  @ApiProperty({ maxLength: 10_000 })
  @IsString()
  @MinLength(1)
  @MaxLength(10_000)
  body!: string;

  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, default: 'friction' })
  @IsOptional()
  @IsIn(ANNOTATION_CATEGORIES)
  category?: string;

  @ApiPropertyOptional({ enum: ANNOTATION_SEVERITIES, default: 'medium' })
  @IsOptional()
  @IsIn(ANNOTATION_SEVERITIES)
  severity?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  parent_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  actor_id?: string;

  @ApiPropertyOptional({ enum: ACTOR_TYPES, default: 'user' })
  @IsOptional()
  @IsIn(ACTOR_TYPES)
  actor_type?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(500)
  widget_state_ref?: string;

  @ApiPropertyOptional({
    type: 'integer',
    minimum: 1,
    description: 'The widget version the feedback is about (default: current)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  widget_version?: number;
}

export interface AnnotationAnswer {
  readonly id: string;
  readonly status: 'accepted' | 'duplicate';
  readonly widget_version: number;
}
