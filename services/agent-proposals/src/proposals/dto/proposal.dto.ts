import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsInt,
  IsNumber,
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
  AGENT_ORIGINS,
  type AgentOrigin,
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  CONFIDENCE_DIMENSIONS,
  type ConfidenceDimension,
  PROPOSAL_KINDS,
  PROPOSAL_STATUSES,
  type ProposalKind,
  type ProposalStatus,
  REVIEW_DECISIONS,
  type ReviewDecision,
  SEVERITIES,
  type Severity,
  WORK_ITEM_SYSTEMS,
  type WorkItemSystem,
} from '@ihf/contracts';
import { NoNulCharacters } from '../../common/text.js';

/**
 * The kind-specific fields of a proposal, i.e. what the services acting on it need once a
 * person accepts it (`proposal.accepted.v1`). Which are required depends on the kind: see the
 * service README. Sources (widget, thread, decision, requirement) are not repeated here.
 */
export class ProposalDetailsDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'duplicate_flag: the duplicate (default: source_candidate_id)',
  })
  @IsOptional()
  @IsUUID()
  candidate_id?: string;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'duplicate_flag: the candidate it duplicates',
  })
  @IsOptional()
  @IsUUID()
  duplicate_of_id?: string;

  @ApiPropertyOptional({ maxLength: 300, description: 'requirement_draft, impl_proposal' })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ maxLength: 20000, description: 'requirement_draft, impl_proposal' })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'description must not be blank' })
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({ enum: ANNOTATION_CATEGORIES, description: 'requirement_draft' })
  @IsOptional()
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @ApiPropertyOptional({ enum: SEVERITIES, description: 'requirement_draft' })
  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ApiPropertyOptional({
    format: 'uuid',
    description: 'requirement_draft: the annotation it starts from',
  })
  @IsOptional()
  @IsUUID()
  source_annotation_id?: string;

  @ApiPropertyOptional({ maxLength: 200, description: 'policy_flag: the policy scope cited' })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'policy_scope must not be blank' })
  @MaxLength(200)
  policy_scope?: string;

  @ApiPropertyOptional({
    maxLength: 5000,
    description: 'policy_flag: the constraint it puts on the decision',
  })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(5000)
  constraint_note?: string;

  @ApiPropertyOptional({ enum: WORK_ITEM_SYSTEMS, description: 'impl_proposal: the tracker meant' })
  @IsOptional()
  @IsIn(WORK_ITEM_SYSTEMS)
  work_item_system?: WorkItemSystem;
}

/** One dimension of an agent's confidence. */
export class ConfidenceDimensionDto {
  @ApiProperty({ enum: CONFIDENCE_DIMENSIONS })
  @IsIn(CONFIDENCE_DIMENSIONS)
  dimension!: ConfidenceDimension;

  @ApiProperty({ minimum: 0, maximum: 1 })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  score!: number;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(2000)
  explanation?: string;
}

/** A proposal posted by an external agent. */
export class SubmitProposalDto {
  @ApiProperty({ format: 'uuid', description: "A hub of the agent's token" })
  @IsUUID()
  hub_id!: string;

  @ApiProperty({ enum: PROPOSAL_KINDS })
  @IsIn(PROPOSAL_KINDS)
  kind!: ProposalKind;

  @ApiProperty({ maxLength: 200, example: 'acme-triage-bot/gpt-4o@2024-08-06' })
  @IsString()
  @NoNulCharacters()
  @Matches(/^\S+$/, { message: 'model_ref must be one word (e.g. vendor/model@version)' })
  @MaxLength(200)
  model_ref!: string;

  @ApiProperty({ minimum: 0, maximum: 1, description: 'Overall confidence' })
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  confidence!: number;

  @ApiProperty({ maxLength: 20000, description: 'What the agent proposes, readable by a person' })
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'content must not be blank' })
  @MaxLength(20_000)
  content!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_widget_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_candidate_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_thread_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_decision_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_requirement_id?: string;

  @ApiPropertyOptional({ type: ProposalDetailsDto })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProposalDetailsDto)
  details?: ProposalDetailsDto;

  @ApiPropertyOptional({ type: [ConfidenceDimensionDto], maxItems: 4 })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(4)
  @ValidateNested({ each: true })
  @Type(() => ConfidenceDimensionDto)
  confidence_dimensions?: ConfidenceDimensionDto[];
}

/** A person's review of a proposal. */
export class ReviewProposalDto {
  @ApiProperty({ enum: REVIEW_DECISIONS, description: '`modified` accepts with the edit below' })
  @IsIn(REVIEW_DECISIONS)
  decision!: ReviewDecision;

  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(2000)
  notes?: string;

  @ApiPropertyOptional({ maxLength: 20000, description: 'modified: the edited content' })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'content must not be blank' })
  @MaxLength(20_000)
  content?: string;

  @ApiPropertyOptional({
    type: ProposalDetailsDto,
    description: "modified: fields replacing the proposal's (the rest are kept)",
  })
  @IsOptional()
  @ValidateNested()
  @Type(() => ProposalDetailsDto)
  details?: ProposalDetailsDto;
}

/** The review queue's filters. */
export class ListProposalsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ enum: PROPOSAL_KINDS })
  @IsOptional()
  @IsIn(PROPOSAL_KINDS)
  kind?: ProposalKind;

  @ApiPropertyOptional({ enum: PROPOSAL_STATUSES, default: 'pending' })
  @IsOptional()
  @IsIn(PROPOSAL_STATUSES)
  status?: ProposalStatus;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  min_confidence?: number;

  @ApiPropertyOptional({ minimum: 0, maximum: 1 })
  @IsOptional()
  @Type(() => Number)
  @IsNumber({ allowNaN: false, allowInfinity: false })
  @Min(0)
  @Max(1)
  max_confidence?: number;

  @ApiPropertyOptional({
    minimum: 0,
    maximum: 8760,
    description: 'Only proposals at least this many hours old',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(8760)
  min_age_hours?: number;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  source_widget_id?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(200)
  cursor?: string;
}

export class ConfidenceDimensionView {
  @ApiProperty({ enum: CONFIDENCE_DIMENSIONS }) dimension!: ConfidenceDimension;
  @ApiProperty() score!: number;
  @ApiProperty({ nullable: true, type: String }) explanation!: string | null;
}

export class ReviewView {
  @ApiProperty({ enum: REVIEW_DECISIONS }) decision!: ReviewDecision;
  @ApiProperty({ format: 'uuid' }) reviewer_id!: string;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'modified: the edited content' })
  modified_content!: string | null;
  @ApiProperty({ nullable: true, type: Object, description: 'modified: the edited details' })
  modified_details!: Record<string, unknown> | null;
  @ApiProperty({ format: 'date-time' }) reviewed_at!: string;
}

@ApiExtraModels(ReviewView)
export class ProposalView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) hub_id!: string;
  @ApiProperty({ enum: PROPOSAL_KINDS }) kind!: ProposalKind;
  @ApiProperty({ enum: AGENT_ORIGINS }) origin!: AgentOrigin;
  @ApiProperty() agent!: string;
  @ApiProperty() model_ref!: string;
  @ApiProperty() confidence!: number;
  @ApiProperty({ enum: PROPOSAL_STATUSES }) status!: ProposalStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_widget_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_candidate_id!:
    string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_thread_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_decision_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  source_requirement_id!: string | null;
  @ApiProperty() content!: string;
  @ApiProperty({ type: Object, description: 'The kind-specific fields (see ProposalDetailsDto)' })
  details!: Record<string, unknown>;
  @ApiProperty({ type: [ConfidenceDimensionView] })
  confidence_dimensions!: ConfidenceDimensionView[];
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) superseded_by_id!: string | null;
  @ApiProperty({
    nullable: true,
    allOf: [{ $ref: getSchemaPath(ReviewView) }],
    description: 'The review, once there is one',
  })
  review!: ReviewView | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class ProposalPageView {
  @ApiProperty({ type: [ProposalView] }) items!: ProposalView[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}
