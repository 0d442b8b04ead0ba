import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
  ValidateNested,
} from 'class-validator';
import {
  AFFECTED_WIDGET_SOURCES,
  DEPLOYMENT_ENVIRONMENT_PATTERN,
  DEPLOYMENT_RECORDERS,
  type AffectedWidgetSource,
  type DeploymentRecorder,
} from '@ihf/contracts';
import { NoNulCharacters } from '../../common/text.js';

/** An event type name as ingestion accepts it. */
const EVENT_TYPE = /^[A-Za-z0-9_.:-]{1,100}$/;

export class RatioDto {
  @ApiProperty({ example: 'submit', description: 'Event type counted as successes' })
  @IsString()
  @Matches(EVENT_TYPE)
  numerator!: string;

  @ApiProperty({ example: 'view', description: 'Event type counted as trials' })
  @IsString()
  @Matches(EVENT_TYPE)
  denominator!: string;
}

/** What a person (JWT) sends to record a deployment. */
export class RecordDeploymentDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'The decision deployed (or `work_item_ref`)',
  })
  @IsOptional()
  @IsUUID()
  decision_id?: string;

  @ApiPropertyOptional({
    example: 'acme/shop#123',
    description: 'A work item governance linked to the decision (`owner/repo#123`, `PROJ-42`)',
  })
  @IsOptional()
  @IsString()
  @MaxLength(500)
  @Matches(/^[\x21-\x7e]+$/, { message: 'work_item_ref must be printable ASCII without spaces' })
  work_item_ref?: string;

  @ApiProperty({ example: 'v2.4.0' })
  @IsString()
  @Matches(/\S/, { message: 'version_ref must not be blank' })
  @MaxLength(200)
  @NoNulCharacters()
  version_ref!: string;

  @ApiProperty({ example: 'production', pattern: DEPLOYMENT_ENVIRONMENT_PATTERN.source })
  @IsString()
  @Matches(DEPLOYMENT_ENVIRONMENT_PATTERN, {
    message: 'environment must be 1-50 lower-case letters, digits, _ and -, starting with a letter',
  })
  environment!: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  deployed_at?: string;

  @ApiPropertyOptional({ maxLength: 5000 })
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  @NoNulCharacters()
  notes?: string;

  @ApiPropertyOptional({
    type: [String],
    format: 'uuid',
    description: 'Widgets affected beyond the lineage',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(100)
  @IsUUID('all', { each: true })
  widget_ids?: string[];

  @ApiPropertyOptional({ minimum: 1, maximum: 90, description: 'Days before (default 7)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  before_window_days?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 90, description: 'Days after (default 7)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(90)
  after_window_days?: number;

  @ApiPropertyOptional({ type: [RatioDto], description: 'Ratios between event types to measure' })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(10)
  @ValidateNested({ each: true })
  @Type(() => RatioDto)
  ratios?: RatioDto[];
}

/** What a pipeline sends to the deployment hook: the same, plus its run id. */
export class DeploymentHookDto extends RecordDeploymentDto {
  @ApiProperty({
    example: 'github-actions/acme/shop/run/9876543210/1',
    description: "The pipeline's own run id: a retried call with it returns the first answer",
  })
  @IsString()
  @Matches(/^[\x21-\x7e]{1,200}$/, { message: 'pipeline_run_id must be 1-200 printable ASCII' })
  pipeline_run_id!: string;
}

export class AffectedWidgetView {
  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty({ type: String, nullable: true })
  name!: string | null;

  @ApiProperty({ enum: AFFECTED_WIDGET_SOURCES })
  source!: AffectedWidgetSource;

  @ApiProperty({
    description: 'Where it came from, e.g. `decision … → requirement … → candidate …`',
  })
  via!: string;
}

export class DeploymentView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ format: 'uuid' })
  decision_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  requirement_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  work_item_ref!: string | null;

  @ApiProperty()
  version_ref!: string;

  @ApiProperty({ example: 'production' })
  environment!: string;

  @ApiProperty({ format: 'date-time' })
  deployed_at!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  deployed_by!: string | null;

  @ApiProperty({ enum: DEPLOYMENT_RECORDERS })
  recorded_by_kind!: DeploymentRecorder;

  @ApiProperty({ type: String, nullable: true })
  pipeline_run_id!: string | null;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ format: 'date-time' })
  before_window_start!: string;

  @ApiProperty({ format: 'date-time', description: 'When the after-window closes' })
  final_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  finalized_at!: string | null;

  @ApiProperty({ type: [RatioDto] })
  ratios!: RatioDto[];

  @ApiProperty({ type: [AffectedWidgetView] })
  widgets!: AffectedWidgetView[];
}
