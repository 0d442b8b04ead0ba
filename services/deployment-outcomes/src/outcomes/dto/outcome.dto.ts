import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsInt,
  IsISO8601,
  IsNumber,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import { OUTCOME_PHASES, type OutcomePhase } from '@ihf/contracts';
import { NoNulCharacters } from '../../common/text.js';
import { DeploymentView } from '../../deployments/dto/deployment.dto.js';

/** A signal a person or a tool adds. */
export class AddSignalDto {
  @ApiProperty({ example: 'support_tickets', description: 'What was observed' })
  @IsString()
  @Matches(/^[a-z][a-z0-9_.:/-]{0,99}$/, {
    message: 'signal_type must be 1-100 lower-case letters, digits and _ . : / -',
  })
  signal_type!: string;

  @ApiProperty({ example: 12 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(-1e12)
  @Max(1e12)
  value!: number;

  @ApiPropertyOptional({ format: 'date-time', description: 'Defaults to now' })
  @IsOptional()
  @IsISO8601({ strict: true, strictSeparator: true })
  observed_at?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'One of the affected widgets, if any' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;
}

export class SignalView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  widget_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  measurement_id!: string | null;

  @ApiProperty({ enum: OUTCOME_PHASES })
  phase!: OutcomePhase;

  @ApiProperty({ example: 'friction_per_1000_views' })
  signal_type!: string;

  @ApiProperty({ type: Number, nullable: true, description: 'The after value (or the manual one)' })
  value!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  before!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  after!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: '(after - before) / before' })
  relative_change!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: '95 % interval, low' })
  ci_low!: number | null;

  @ApiProperty({ type: Number, nullable: true, description: '95 % interval, high' })
  ci_high!: number | null;

  @ApiProperty({ type: Number, nullable: true })
  p_value!: number | null;

  @ApiProperty({ type: String, nullable: true, example: 'poisson_rate_ratio' })
  test!: string | null;

  @ApiProperty({ description: 'Below the minimum sample: no number is claimed' })
  not_enough_data!: boolean;

  @ApiProperty({ type: 'object', additionalProperties: { type: 'number' } })
  details!: Record<string, number>;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  recorded_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  observed_at!: string;
}

export class SignalListView {
  @ApiProperty({ type: [SignalView] })
  items!: SignalView[];
}

export class EvaluateDto {
  @ApiProperty({ minimum: 1, maximum: 5 })
  @IsInt()
  @Min(1)
  @Max(5)
  score!: number;

  @ApiProperty({ example: 'Fewer complaints, same conversion' })
  @IsString()
  @Matches(/\S/, { message: 'rationale must not be blank' })
  @MaxLength(10_000)
  @NoNulCharacters()
  rationale!: string;
}

export class EvaluationView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  deployment_id!: string;

  @ApiProperty({ minimum: 1, maximum: 5 })
  score!: number;

  @ApiProperty()
  rationale!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  evaluated_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  evaluated_at!: string;
}

export class DecisionSummaryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  title!: string | null;

  @ApiProperty({ type: String, nullable: true })
  outcome!: string | null;
}

export class RequirementSummaryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ type: String, nullable: true })
  title!: string | null;
}

export class OutcomeReportView {
  @ApiProperty({ type: DeploymentView })
  deployment!: DeploymentView;

  @ApiProperty({ type: DecisionSummaryView })
  decision!: DecisionSummaryView;

  @ApiProperty({
    type: [RequirementSummaryView],
    description: 'The requirement, if the decision had one',
  })
  requirements!: RequirementSummaryView[];

  @ApiProperty({ enum: ['provisional', 'final'], description: 'Whether the figures are final' })
  phase!: 'provisional' | 'final';

  @ApiProperty({
    type: [SignalView],
    description: 'Before/after figures: the final ones, or computed now while the window is open',
  })
  figures!: SignalView[];

  @ApiProperty({ type: [SignalView], description: 'Signals people and tools added' })
  manual_signals!: SignalView[];

  @ApiProperty({
    type: [EvaluationView],
    description: 'The evaluation, once given (at most one per deployment)',
  })
  evaluations!: EvaluationView[];
}

export class FrictionQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 365, default: 30 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(365)
  days?: number;
}

export class FrictionPointView {
  @ApiProperty({ format: 'uuid' })
  widget_id!: string;

  @ApiProperty()
  widget_version!: number;

  @ApiProperty({ format: 'date', example: '2026-12-01' })
  day!: string;

  @ApiProperty()
  views!: number;

  @ApiProperty()
  annotations!: number;

  @ApiProperty({ type: Number, nullable: true, description: 'Annotations per 1,000 views' })
  per_1000_views!: number | null;
}

export class FrictionView {
  @ApiProperty({ type: [FrictionPointView], description: 'Per widget, version and day (UTC)' })
  items!: FrictionPointView[];

  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'Trend: friction of the last half of the period relative to the first half, minus 1',
  })
  trend!: number | null;
}
