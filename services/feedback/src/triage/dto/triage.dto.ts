import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Transform, Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
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
  CANDIDATE_STATUSES,
  type CandidateStatus,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';

export class TransitionDto {
  @ApiProperty({ enum: CANDIDATE_STATUSES })
  @IsIn(CANDIDATE_STATUSES)
  to!: CandidateStatus;

  @ApiPropertyOptional({ description: 'Why; kept in the audit' })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes?: string;

  @ApiPropertyOptional({ format: 'uuid', description: "Required with to = 'duplicate'" })
  @IsOptional()
  @IsUUID()
  duplicate_of_id?: string;

  @ApiPropertyOptional({
    type: 'integer',
    description: 'The version you saw; 409 when it changed since',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  expected_version?: number;
}

/** `?status=open&status=in_review` and `?status=open,in_review` both work. */
const toList = ({ value }: { value: unknown }): unknown =>
  value === undefined
    ? undefined
    : (Array.isArray(value) ? (value as unknown[]) : [value]).flatMap((v): unknown[] =>
        typeof v === 'string' ? v.split(',').filter(Boolean) : [v],
      );

export class TriageQueueQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;

  @ApiPropertyOptional({ enum: CANDIDATE_STATUSES, isArray: true })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(CANDIDATE_STATUSES.length)
  @IsIn(CANDIDATE_STATUSES, { each: true })
  status?: CandidateStatus[];

  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, isArray: true })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(ANNOTATION_CATEGORIES.length)
  @IsIn(ANNOTATION_CATEGORIES, { each: true })
  category?: AnnotationCategory[];

  @ApiPropertyOptional({ enum: SEVERITIES, isArray: true })
  @IsOptional()
  @Transform(toList)
  @IsArray()
  @ArrayMaxSize(SEVERITIES.length)
  @IsIn(SEVERITIES, { each: true })
  severity?: Severity[];

  @ApiPropertyOptional({ description: "A reviewer's user id, 'me', or 'none' (unassigned)" })
  @IsOptional()
  @Matches(
    /^(me|none|[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12})$/,
    {
      message: "assignee must be a user id, 'me' or 'none'",
    },
  )
  assignee?: string;

  @ApiPropertyOptional({ description: 'Words to find in title and description' })
  @IsOptional()
  @IsString()
  @MaxLength(200)
  q?: string;

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
