import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, IsUUID, Matches, MaxLength } from 'class-validator';
import { PROPOSAL_KINDS, type ProposalKind } from '@ihf/contracts';

export class ScorecardsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ enum: PROPOSAL_KINDS })
  @IsOptional()
  @IsIn(PROPOSAL_KINDS)
  kind?: ProposalKind;

  @ApiPropertyOptional({ maxLength: 200 })
  @IsOptional()
  @IsString()
  @Matches(/^\S+$/, { message: 'model_ref must be one word' })
  @MaxLength(200)
  model_ref?: string;
}

export class CalibrationBucketView {
  @ApiProperty({ description: 'Lower bound of stated confidence (inclusive)' }) lower!: number;
  @ApiProperty({ description: 'Upper bound (exclusive, except 1)' }) upper!: number;
  @ApiProperty({ description: 'Reviewed proposals in the bucket' }) reviewed!: number;
  @ApiProperty() mean_confidence!: number;
  @ApiProperty({ description: 'Share accepted (as is or modified)' }) acceptance_rate!: number;
}

export class ScorecardView {
  @ApiProperty({ description: '`builtin:<name>`, `llm:<name>` or an agent client id' })
  agent!: string;
  @ApiProperty() model_ref!: string;
  @ApiProperty({ enum: PROPOSAL_KINDS }) kind!: ProposalKind;
  @ApiProperty() proposals!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() superseded!: number;
  @ApiProperty() accepted!: number;
  @ApiProperty() modified!: number;
  @ApiProperty() rejected!: number;
  @ApiProperty({ nullable: true, type: Number }) acceptance_rate!: number | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Mean (confidence − outcome)², outcome 1 if accepted or modified, 0 if rejected',
  })
  brier_score!: number | null;
  @ApiProperty({ nullable: true, type: Number }) expected_calibration_error!: number | null;
  @ApiProperty({ type: [CalibrationBucketView] }) calibration!: CalibrationBucketView[];
}

export class ScorecardListView {
  @ApiProperty({ type: [ScorecardView] }) items!: ScorecardView[];
}
