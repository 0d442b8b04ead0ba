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
import { Nullable } from '../../schema/presence.js';
import {
  ACTOR_TYPES,
  ANNOTATION_CATEGORIES,
  ANNOTATION_SOURCES,
  CANDIDATE_STATUSES,
  SEVERITIES,
  THREAD_CHANGES,
  type ActorType,
  type AnnotationCategory,
  type AnnotationSource,
  type CandidateStatus,
  type Severity,
  type ThreadChange,
} from '../../value-sets/value-sets.js';

/** `ihf.feedback.annotation.created.v1`: an annotation was stored (from ingestion or a user). */
export class FeedbackAnnotationCreatedV1 {
  @IsUUID()
  annotation_id!: string;

  @IsUUID()
  widget_id!: string;

  @Nullable()
  @IsUUID()
  parent_id!: string | null;

  @Nullable()
  @IsUUID()
  thread_id!: string | null;

  @IsIn(ANNOTATION_CATEGORIES)
  category!: AnnotationCategory;

  @IsIn(SEVERITIES)
  severity!: Severity;

  @Nullable()
  @IsUUID()
  actor_id!: string | null;

  @IsIn(ACTOR_TYPES)
  actor_type!: ActorType;

  /** `ingestion` (external UI) or `api` (a signed-in user). */
  @IsIn(ANNOTATION_SOURCES)
  source!: AnnotationSource;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.feedback.annotation.retracted.v1`: an annotation was retracted (its body is kept). */
export class FeedbackAnnotationRetractedV1 {
  @IsUUID()
  annotation_id!: string;

  @IsUUID()
  widget_id!: string;

  @Nullable()
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

  @Nullable()
  @IsUUID()
  created_by!: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

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

  @Nullable()
  @IsUUID()
  annotation_id!: string | null;

  @IsString()
  @MaxLength(300)
  title!: string;

  @Nullable()
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

  @Nullable()
  @IsUUID()
  source_thread_id!: string | null;

  @Nullable()
  @IsUUID()
  source_annotation_id!: string | null;

  /** Set when an accepted agent proposal (requirement_draft) created it. */
  @Nullable()
  @IsUUID()
  source_proposal_id!: string | null;

  @Nullable()
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

  @Nullable()
  @IsString()
  @MaxLength(5000)
  notes!: string | null;

  /** The candidate it duplicates, when `to` is `duplicate`. */
  @Nullable()
  @IsUUID()
  duplicate_of_id!: string | null;

  /** The requirement that governance created, when `to` is `promoted`. */
  @Nullable()
  @IsUUID()
  requirement_id!: string | null;

  @Nullable()
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

  @Nullable()
  @IsUUID()
  previous_reviewer_id!: string | null;

  @Nullable()
  @IsUUID()
  assigned_by!: string | null;

  @IsISO8601({ strict: true })
  assigned_at!: string;
}
