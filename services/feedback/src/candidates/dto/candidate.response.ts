import { ApiProperty } from '@nestjs/swagger';
import {
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  CANDIDATE_STATUSES,
  type CandidateStatus,
  SEVERITIES,
  type Severity,
} from '@ihf/contracts';
import { AnnotationResponse } from '../../annotations/dto/annotation.response.js';
import { type CandidateView } from '../candidate.repository.js';
import {
  type AssignmentChangeView,
  type CandidateHistoryView,
  type MergedSourceView,
  type TransitionView,
} from '../candidates.service.js';

export class CandidateResponse implements CandidateView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty()
  title!: string;

  @ApiProperty()
  description!: string;

  @ApiProperty({ format: 'uuid' })
  source_widget_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  source_thread_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  source_annotation_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  source_proposal_id!: string | null;

  @ApiProperty({ enum: ANNOTATION_CATEGORIES })
  category!: AnnotationCategory;

  @ApiProperty({ enum: SEVERITIES })
  severity!: Severity;

  @ApiProperty({ enum: CANDIDATE_STATUSES })
  status!: CandidateStatus;

  @ApiProperty({
    enum: CANDIDATE_STATUSES,
    isArray: true,
    description: 'Where a person may move it from here',
  })
  allowed_transitions!: CandidateStatus[];

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  duplicate_of_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  requirement_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  reviewer_id!: string | null;

  @ApiProperty({
    type: 'integer',
    minimum: 1,
    description: 'Raised by every change; send it back as `expected_version` to detect races',
  })
  version!: number;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  created_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class TransitionResponse implements TransitionView {
  @ApiProperty({ enum: CANDIDATE_STATUSES })
  status!: CandidateStatus;

  @ApiProperty({ enum: CANDIDATE_STATUSES, nullable: true })
  from_status!: CandidateStatus | null;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  duplicate_of_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  requirement_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  changed_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  changed_at!: string;
}

export class AssignmentChangeResponse implements AssignmentChangeView {
  @ApiProperty({ format: 'uuid' })
  reviewer_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  previous_reviewer_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  changed_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  changed_at!: string;
}

export class MergedSourceResponse implements MergedSourceView {
  @ApiProperty({ format: 'uuid', description: 'The merge that brought it here' })
  merge_id!: string;

  @ApiProperty({ format: 'uuid', description: 'The duplicate it was a source of' })
  from_candidate_id!: string;

  @ApiProperty({ type: AnnotationResponse })
  annotation!: AnnotationResponse;
}

export class CandidateHistoryResponse implements CandidateHistoryView {
  @ApiProperty({ type: CandidateResponse })
  candidate!: CandidateResponse;

  @ApiProperty({ type: [TransitionResponse] })
  transitions!: TransitionResponse[];

  @ApiProperty({ type: [AssignmentChangeResponse] })
  assignments!: AssignmentChangeResponse[];

  @ApiProperty({ type: [AnnotationResponse] })
  source_annotations!: AnnotationResponse[];

  @ApiProperty({
    type: [MergedSourceResponse],
    description: 'Sources of the duplicates merged into it (until a merge is undone)',
  })
  merged_source_annotations!: MergedSourceResponse[];
}
