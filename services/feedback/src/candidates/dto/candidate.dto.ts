import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import {
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';

/** Escalates an annotation or a thread into a requirement candidate. */
export class CreateCandidateDto {
  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title!: string;

  @ApiProperty()
  @IsString()
  @Matches(/\S/, { message: 'description must not be blank' })
  @MaxLength(20_000)
  description!: string;

  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, description: "Default: the source's" })
  @IsOptional()
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @ApiPropertyOptional({ enum: SEVERITIES, description: "Default: the source's highest" })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_annotation_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_thread_id?: string;
}
