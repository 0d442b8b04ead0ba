import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  Min,
} from 'class-validator';

/** Annotation categories (the seed's default is `friction`). */
export const ANNOTATION_CATEGORIES = ['friction', 'bug', 'idea', 'question', 'praise'] as const;
export type AnnotationCategory = (typeof ANNOTATION_CATEGORIES)[number];

/** Annotation and candidate severities, lowest first (the seed's default is `medium`). */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Statuses of a requirement candidate in the triage workflow. */
export const CANDIDATE_STATUSES = [
  'open',
  'in_review',
  'accepted',
  'rejected',
  'deferred',
  'duplicate',
  'promoted',
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/** `ihf.feedback.annotation.created.v1`: an annotation was stored (from ingestion or a user). */
export class FeedbackAnnotationCreatedV1 {
  @IsUUID()
  annotation_id!: string;

  @IsUUID()
  widget_id!: string;

  @IsOptional()
  @IsUUID()
  parent_id!: string | null;

  @IsOptional()
  @IsUUID()
  thread_id!: string | null;

  @IsIn(ANNOTATION_CATEGORIES)
  category!: AnnotationCategory;

  @IsIn(SEVERITIES)
  severity!: Severity;

  @IsOptional()
  @IsUUID()
  actor_id!: string | null;

  @IsString()
  @MaxLength(50)
  actor_type!: string;

  /** `ingestion` (external UI) or `api` (a signed-in user). */
  @IsIn(['ingestion', 'api'])
  source!: 'ingestion' | 'api';

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.feedback.annotation.retracted.v1`: an annotation was retracted (its body is kept). */
export class FeedbackAnnotationRetractedV1 {
  @IsUUID()
  annotation_id!: string;

  @IsUUID()
  widget_id!: string;

  @IsOptional()
  @IsUUID()
  retracted_by!: string | null;

  @IsISO8601({ strict: true })
  retracted_at!: string;
}

/** `ihf.feedback.thread.created.v1`: an annotation thread was opened on a widget. */
export class FeedbackThreadCreatedV1 {
  @IsUUID()
  thread_id!: string;

  @IsUUID()
  widget_id!: string;

  @IsString()
  @MaxLength(300)
  title!: string;

  @IsOptional()
  @IsUUID()
  created_by!: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** What changed in a thread. */
export const THREAD_CHANGES = [
  'annotation_added',
  'annotation_removed',
  'details_changed',
] as const;
export type ThreadChange = (typeof THREAD_CHANGES)[number];

/**
 * `ihf.feedback.thread.changed.v1`: an annotation was added to or removed from a thread
 * (`annotation_id` says which), or its title or description changed (`title` is the new one).
 */
export class FeedbackThreadChangedV1 {
  @IsUUID()
  thread_id!: string;

  @IsUUID()
  widget_id!: string;

  @IsIn(THREAD_CHANGES)
  change!: ThreadChange;

  @IsOptional()
  @IsUUID()
  annotation_id!: string | null;

  @IsString()
  @MaxLength(300)
  title!: string;

  @IsOptional()
  @IsUUID()
  changed_by!: string | null;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.feedback.candidate.created.v1`: a requirement candidate was created. */
export class FeedbackCandidateCreatedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsString()
  @MaxLength(300)
  title!: string;

  /** The candidate's description (governance copies it into the requirement it promotes). */
  @IsOptional()
  @IsString()
  @MaxLength(20_000)
  description?: string;

  @IsIn(ANNOTATION_CATEGORIES)
  category!: AnnotationCategory;

  @IsIn(SEVERITIES)
  severity!: Severity;

  @IsUUID()
  source_widget_id!: string;

  @IsOptional()
  @IsUUID()
  source_thread_id!: string | null;

  @IsOptional()
  @IsUUID()
  source_annotation_id!: string | null;

  /** Set when an accepted agent proposal (requirement_draft) created it. */
  @IsOptional()
  @IsUUID()
  source_proposal_id!: string | null;

  @IsOptional()
  @IsUUID()
  created_by!: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.feedback.candidate.status_changed.v1`: a candidate moved in the triage workflow. */
export class FeedbackCandidateStatusChangedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsIn(CANDIDATE_STATUSES)
  from!: CandidateStatus;

  @IsIn(CANDIDATE_STATUSES)
  to!: CandidateStatus;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes!: string | null;

  /** The candidate it duplicates, when `to` is `duplicate`. */
  @IsOptional()
  @IsUUID()
  duplicate_of_id!: string | null;

  /** The requirement that governance created, when `to` is `promoted`. */
  @IsOptional()
  @IsUUID()
  requirement_id!: string | null;

  @IsOptional()
  @IsUUID()
  changed_by!: string | null;

  /** The candidate's version after the change. */
  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.feedback.candidate.assigned.v1`: a candidate's reviewer was assigned or replaced. */
export class FeedbackCandidateAssignedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsUUID()
  reviewer_id!: string;

  @IsOptional()
  @IsUUID()
  previous_reviewer_id!: string | null;

  @IsOptional()
  @IsUUID()
  assigned_by!: string | null;

  @IsISO8601({ strict: true })
  assigned_at!: string;
}
