import { IsIn, IsISO8601, IsOptional, IsString, IsUUID, MaxLength } from 'class-validator';

/**
 * Outcomes of a governance decision record: the documented, closed set every decision uses
 * (DTOs, the `decision_records.outcome` CHECK, events, MADR rendering).
 *
 * - `approved`: the requirement (or candidate) goes ahead as described;
 * - `rejected`: it does not, for the reasons in the rationale;
 * - `deferred`: not now; to be decided again later;
 * - `needs_information`: the deciders cannot decide yet; the notes say what is missing.
 */
export const DECISION_OUTCOMES = ['approved', 'rejected', 'deferred', 'needs_information'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/**
 * Lifecycle of a requirement: `active` from its promotion, `superseded` by another requirement
 * (`superseded_by_id`), or `retired`. Superseded and retired are final.
 */
export const REQUIREMENT_STATUSES = ['active', 'superseded', 'retired'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

/**
 * Trackers a decision can link work items in, each with its reference format:
 * `github` `owner/repo#123`, `gitlab` `group/project#12` (issue) or `group/project!7` (merge
 * request), `jira` `PROJ-42`, `linear` `ENG-42`, `azure_boards` `AB#123`, `url` any https URL.
 */
export const WORK_ITEM_SYSTEMS = [
  'github',
  'gitlab',
  'jira',
  'linear',
  'azure_boards',
  'url',
] as const;
export type WorkItemSystem = (typeof WORK_ITEM_SYSTEMS)[number];

/**
 * State of a linked work item as its tracker reports it: `unknown` until a webhook delivery
 * says otherwise, then `open`, `closed` or `merged` (pull and merge requests).
 */
export const WORK_ITEM_STATES = ['unknown', 'open', 'closed', 'merged'] as const;
export type WorkItemState = (typeof WORK_ITEM_STATES)[number];

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

  @IsOptional()
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
