import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
  Matches,
} from 'class-validator';
import {
  ACTOR_TYPES,
  ANNOTATION_CATEGORIES,
  NON_BLANK_PATTERN,
  SEVERITIES,
  type ActorType,
  type AnnotationCategory,
  type Severity,
} from '@ihf/contracts';

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
  @Matches(NON_BLANK_PATTERN, { message: 'body must not be blank' })
  @MaxLength(10_000)
  body!: string;

  // The feedback service's categories and severities (libs/contracts): a value it would refuse
  // is refused here, instead of being accepted and then lost downstream.
  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, default: 'friction' })
  @IsOptional()
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @ApiPropertyOptional({ enum: SEVERITIES, default: 'medium' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

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
  actor_type?: ActorType;

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
