import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  NON_BLANK_PATTERN,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';

export class CreateAnnotationDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Client-chosen id: re-sending the same annotation returns it instead of a copy',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  widget_id!: string;

  @ApiProperty({ example: 'The save button is hidden below the fold' })
  @IsString()
  @Matches(NON_BLANK_PATTERN, { message: 'body must not be blank' })
  @MaxLength(10_000)
  body!: string;

  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, default: 'friction' })
  @IsOptional()
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @ApiPropertyOptional({ enum: SEVERITIES, default: 'medium' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ format: 'uuid', description: 'The annotation this one replies to' })
  @IsOptional()
  @IsUUID()
  parent_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Defaults to the parent's thread" })
  @IsOptional()
  @IsUUID()
  thread_id?: string;

  @ApiPropertyOptional({ description: 'Reference to the widget state the feedback is about' })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  widget_state_ref?: string;
}

const toBoolean = ({ value }: { value: unknown }): unknown =>
  value === 'true' ? true : value === 'false' ? false : value;

export class ListAnnotationsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  thread_id?: string;

  @ApiPropertyOptional({ default: false, description: 'Include retracted annotations' })
  @IsOptional()
  @Transform(toBoolean)
  @IsBoolean()
  include_retracted?: boolean;

  @ApiPropertyOptional({ type: 'integer', minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional({ description: 'next_cursor of the previous page' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  cursor?: string;
}
