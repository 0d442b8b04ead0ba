import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';
import { Nullable } from '../../schema/presence.js';
import {
  DECISION_OUTCOMES,
  WORK_ITEM_STATES,
  WORK_ITEM_SYSTEMS,
  type DecisionOutcome,
  type WorkItemState,
  type WorkItemSystem,
} from '../../value-sets/value-sets.js';

/**
 * `ihf.governance.requirement.promoted.v1`: governance promoted an accepted requirement
 * candidate into a requirement. The feedback service records the back-reference and moves the
 * candidate to `promoted`.
 */
export class RequirementPromotedV1 {
  @IsUUID()
  requirement_id!: string;

  /** The feedback service's requirement candidate (`requirements.source_candidate_id`). */
  @IsUUID()
  candidate_id!: string;

  @IsUUID()
  hub_id!: string;

  @Nullable()
  @IsUUID()
  promoted_by!: string | null;

  @IsISO8601({ strict: true })
  promoted_at!: string;

  /** The requirement's title (from the candidate); absent in events of older producers. */
  @IsOptional()
  @IsString()
  @MaxLength(300)
  title?: string;
}

/** `ihf.governance.requirement.updated.v1`: a requirement's title or description was edited. */
export class RequirementUpdatedV1 {
  @IsUUID()
  requirement_id!: string;

  @IsString()
  @MaxLength(300)
  title!: string;

  @IsString()
  @MaxLength(20_000)
  description!: string;

  @IsOptional()
  @IsUUID()
  changed_by!: string | null;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.governance.requirement.superseded.v1`: another requirement replaces this one. */
export class RequirementSupersededV1 {
  @IsUUID()
  requirement_id!: string;

  @IsUUID()
  superseded_by_id!: string;

  @IsOptional()
  @IsUUID()
  changed_by!: string | null;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.governance.requirement.retired.v1`: a requirement no longer applies. */
export class RequirementRetiredV1 {
  @IsUUID()
  requirement_id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  notes!: string | null;

  @IsOptional()
  @IsUUID()
  changed_by!: string | null;

  @IsISO8601({ strict: true })
  changed_at!: string;
}

/** `ihf.governance.decision.recorded.v1`: a decision record was made (never edited later). */
export class DecisionRecordedV1 {
  @IsUUID()
  decision_id!: string;

  @IsString()
  @MaxLength(300)
  title!: string;

  @IsIn(DECISION_OUTCOMES)
  outcome!: DecisionOutcome;

  @IsOptional()
  @IsUUID()
  requirement_id!: string | null;

  @IsOptional()
  @IsUUID()
  candidate_id!: string | null;

  /** The decision this one supersedes, if any. */
  @IsOptional()
  @IsUUID()
  supersedes_id!: string | null;

  @IsOptional()
  @IsUUID()
  decided_by!: string | null;

  @IsISO8601({ strict: true })
  decided_at!: string;
}

/** `ihf.governance.decision.superseded.v1`: a newer decision replaces this one. */
export class DecisionSupersededV1 {
  @IsUUID()
  decision_id!: string;

  @IsUUID()
  superseded_by_id!: string;

  @IsISO8601({ strict: true })
  superseded_at!: string;
}

/** `ihf.governance.policy_reference.added.v1`: a decision cites a policy scope. */
export class PolicyReferenceAddedV1 {
  @IsUUID()
  policy_reference_id!: string;

  @IsUUID()
  decision_id!: string;

  @IsString()
  @MaxLength(200)
  policy_scope!: string;

  @IsOptional()
  @IsString()
  @MaxLength(5000)
  constraint_note!: string | null;

  @IsOptional()
  @IsUUID()
  created_by!: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.governance.work_item.linked.v1`: a decision links an item in an external tracker. */
export class WorkItemLinkedV1 {
  @IsUUID()
  work_item_id!: string;

  @IsUUID()
  decision_id!: string;

  @IsIn(WORK_ITEM_SYSTEMS)
  system!: WorkItemSystem;

  @IsString()
  @MaxLength(2000)
  work_item_ref!: string;

  @IsString()
  @MaxLength(2000)
  url!: string;

  @IsIn(WORK_ITEM_STATES)
  state!: WorkItemState;

  @IsOptional()
  @IsUUID()
  linked_by!: string | null;

  @IsISO8601({ strict: true })
  linked_at!: string;
}

/** `ihf.governance.work_item.state_changed.v1`: the tracker reported a new state of an item. */
export class WorkItemStateChangedV1 {
  @IsUUID()
  work_item_id!: string;

  @IsUUID()
  decision_id!: string;

  @IsIn(WORK_ITEM_STATES)
  from!: WorkItemState;

  @IsIn(WORK_ITEM_STATES)
  to!: WorkItemState;

  @IsISO8601({ strict: true })
  changed_at!: string;
}
