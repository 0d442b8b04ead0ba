import { ApiExtraModels, ApiProperty, ApiPropertyOptional, getSchemaPath } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
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
  CANDIDATE_STATUSES,
  type CandidateStatus,
  DECISION_OUTCOMES,
  type DecisionOutcome,
  REQUIREMENT_CHANGES,
  REQUIREMENT_STATUSES,
  type RequirementChange,
  type RequirementStatus,
  WORK_ITEM_STATES,
  WORK_ITEM_SYSTEMS,
  type WorkItemState,
  type WorkItemSystem,
} from '@ihf/contracts';
import { NoNulCharacters } from '../../common/text.js';

/** Promotes an accepted candidate; title and description default to the candidate's. */
export class PromoteCandidateDto {
  @ApiProperty({ format: 'uuid' })
  @IsUUID()
  candidate_id!: string;

  @ApiPropertyOptional({ description: "Default: the candidate's title" })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional({ description: "Default: the candidate's description" })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(20_000)
  description?: string;
}

/** Edits an active requirement (each edit is kept in its history). */
export class EditRequirementDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(20_000)
  description?: string;

  @ApiPropertyOptional({ description: 'The version the edit is based on (409 when stale)' })
  @IsOptional()
  @IsInt()
  @Min(1)
  expected_version?: number;
}

export class SupersedeRequirementDto {
  @ApiProperty({ format: 'uuid', description: 'The active requirement that replaces this one' })
  @IsUUID()
  superseded_by_id!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(5000)
  notes?: string;
}

export class RetireRequirementDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(5000)
  notes?: string;
}

export class ListRequirementsQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ enum: REQUIREMENT_STATUSES })
  @IsOptional()
  @IsIn(REQUIREMENT_STATUSES)
  status?: RequirementStatus;

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

export class RequirementView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) hub_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ format: 'uuid' }) source_candidate_id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_widget_id!: string | null;
  @ApiProperty({ enum: REQUIREMENT_STATUSES }) status!: RequirementStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) superseded_by_id!: string | null;
  @ApiProperty() version!: number;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) created_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time' }) updated_at!: string;
}

export class RequirementPageView {
  @ApiProperty({ type: [RequirementView] }) items!: RequirementView[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class RequirementChangeView {
  @ApiProperty() version!: number;
  @ApiProperty({ enum: REQUIREMENT_CHANGES }) change!: RequirementChange;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: REQUIREMENT_STATUSES }) status!: RequirementStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) superseded_by_id!: string | null;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) changed_by!: string | null;
  @ApiProperty({ format: 'date-time' }) changed_at!: string;
}

export class RequirementHistoryView {
  @ApiProperty({ type: RequirementView }) requirement!: RequirementView;
  @ApiProperty({ type: [RequirementChangeView] }) changes!: RequirementChangeView[];
}

export class TraceCandidateView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) title!: string | null;
  @ApiProperty({ enum: CANDIDATE_STATUSES }) status!: CandidateStatus;
  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  source_annotation_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) source_thread_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String })
  source_proposal_id!: string | null;
}

export class TraceWidgetView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ nullable: true, type: String }) name!: string | null;
  @ApiProperty() status!: string;
  @ApiProperty({ description: "The widget's current version" }) version!: number;
}

export class PolicyReferenceView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) decision_id!: string;
  @ApiProperty() policy_scope!: string;
  @ApiProperty({ nullable: true, type: String }) constraint_note!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) created_by!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

export class WorkItemView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) decision_id!: string;
  @ApiProperty({ enum: WORK_ITEM_SYSTEMS }) system!: WorkItemSystem;
  @ApiProperty() work_item_ref!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ enum: WORK_ITEM_STATES }) state!: WorkItemState;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  state_changed_at!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) linked_by!: string | null;
  @ApiProperty({ format: 'date-time' }) linked_at!: string;
}

export class DecisionView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) hub_id!: string;
  @ApiProperty() title!: string;
  @ApiProperty() rationale!: string;
  @ApiProperty({ enum: DECISION_OUTCOMES }) outcome!: DecisionOutcome;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) requirement_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) candidate_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) widget_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) supersedes_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) superseded_by_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) decided_by!: string | null;
  @ApiProperty({ format: 'date-time' }) decided_at!: string;
  @ApiProperty({ nullable: true, type: String }) notes!: string | null;
}

export class DecisionDetailView extends DecisionView {
  @ApiProperty({ type: [PolicyReferenceView] }) policy_references!: PolicyReferenceView[];
  @ApiProperty({ type: [WorkItemView] }) work_items!: WorkItemView[];
}

export class WorkItemDraftView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) decision_id!: string | null;
  @ApiProperty({ format: 'uuid', nullable: true, type: String }) requirement_id!: string | null;
  @ApiProperty() title!: string;
  @ApiProperty() description!: string;
  @ApiProperty({ enum: WORK_ITEM_SYSTEMS, nullable: true, type: String })
  system!: WorkItemSystem | null;
  @ApiProperty({ format: 'uuid' }) source_proposal_id!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

@ApiExtraModels(TraceCandidateView, TraceWidgetView)
export class TraceView {
  @ApiProperty({ type: RequirementView }) requirement!: RequirementView;
  // A `$ref` ignores `nullable` beside it: a nullable object is `allOf` its one schema.
  @ApiProperty({ nullable: true, allOf: [{ $ref: getSchemaPath(TraceCandidateView) }] })
  candidate!: TraceCandidateView | null;
  @ApiProperty({
    nullable: true,
    allOf: [{ $ref: getSchemaPath(TraceWidgetView) }],
    description:
      'Null when neither governance nor ingestion (or no answer from it) knows the widget',
  })
  widget!: TraceWidgetView | null;
  @ApiProperty({ type: [String], description: 'Requirements this one superseded' })
  supersedes!: string[];
  @ApiProperty({ type: [DecisionDetailView], description: 'Oldest first, with supersessions' })
  decisions!: DecisionDetailView[];
  @ApiProperty({
    type: [WorkItemDraftView],
    description:
      'Drafts from accepted implementation proposals, on the requirement or its decisions',
  })
  work_item_drafts!: WorkItemDraftView[];
}
