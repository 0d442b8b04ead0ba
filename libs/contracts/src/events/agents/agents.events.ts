import {
  IsIn,
  IsISO8601,
  IsNumber,
  Max,
  Min,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { RequiredWhen } from '../../schema/presence.js';
import {
  AGENT_ORIGINS,
  ANNOTATION_CATEGORIES,
  PROPOSAL_KINDS,
  REVIEW_DECISIONS,
  type AgentOrigin,
  type ReviewDecision,
  SEVERITIES,
  WORK_ITEM_SYSTEMS,
  type AnnotationCategory,
  type ProposalKind,
  type Severity,
  type WorkItemSystem,
} from '../../value-sets/value-sets.js';

/**
 * `ihf.agents.proposal.accepted.v1`: a human accepted an agent's proposal. The kinds that act
 * on triage carry their details as flat fields (required for that kind, absent otherwise):
 *
 * - `duplicate_flag`: `candidate_id` duplicates `duplicate_of_id`;
 * - `requirement_draft`: a new candidate (`title`, `description`, `category`, `severity`,
 *   `source_widget_id`, optional `source_thread_id` / `source_annotation_id`);
 * - `policy_flag`: the decision `decision_id` cites `policy_scope` (optional `constraint_note`);
 * - `impl_proposal`: a work-item draft (`title`, `description`, optional `work_item_system`) on
 *   the decision `decision_id` or the requirement `requirement_id` (at least one of them;
 *   governance dead-letters an impl_proposal that names neither).
 *
 * The policy_flag and impl_proposal fields were added later; older consumers ignore them.
 */
export class ProposalAcceptedV1 {
  @IsUUID()
  proposal_id!: string;

  @IsIn(PROPOSAL_KINDS)
  kind!: ProposalKind;

  @IsUUID()
  hub_id!: string;

  /** The person who accepted the proposal. */
  @IsUUID()
  accepted_by!: string;

  @IsISO8601({ strict: true })
  accepted_at!: string;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;

  /** duplicate_flag: the candidate that is a duplicate. */
  @RequiredWhen('kind', 'duplicate_flag')
  @IsUUID()
  candidate_id?: string;

  /** duplicate_flag: the candidate it duplicates. */
  @RequiredWhen('kind', 'duplicate_flag')
  @IsUUID()
  duplicate_of_id?: string;

  /** requirement_draft: the candidate's title; impl_proposal: the work-item draft's. */
  @RequiredWhen('kind', 'requirement_draft', 'impl_proposal')
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @RequiredWhen('kind', 'requirement_draft', 'impl_proposal')
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  description?: string;

  @RequiredWhen('kind', 'requirement_draft')
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @RequiredWhen('kind', 'requirement_draft')
  @IsUUID()
  source_widget_id?: string;

  @IsOptional()
  @IsUUID()
  source_thread_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_annotation_id?: string | null;

  /** policy_flag: the decision that cites the scope; impl_proposal: its decision, if any. */
  @RequiredWhen('kind', 'policy_flag')
  @IsUUID()
  decision_id?: string | null;

  /** impl_proposal: the requirement the draft is for (when it names no decision). */
  @IsOptional()
  @IsUUID()
  requirement_id?: string | null;

  /** policy_flag: the policy scope cited. */
  @RequiredWhen('kind', 'policy_flag')
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  policy_scope?: string;

  /** policy_flag: the constraint the policy puts on the decision. */
  @IsOptional()
  @IsString()
  @MaxLength(5000)
  constraint_note?: string | null;

  /** impl_proposal: the tracker the draft is meant for. */
  @IsOptional()
  @IsIn(WORK_ITEM_SYSTEMS)
  work_item_system?: WorkItemSystem | null;
}

/** Sources a proposal is about (each optional; at least one is set). */
class ProposalSourcesV1 {
  @IsOptional()
  @IsUUID()
  source_widget_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_candidate_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_thread_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_decision_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_requirement_id?: string | null;
}

/**
 * `ihf.agents.proposal.created.v1`: an agent's proposal was stored, pending review. Carries
 * what a review queue or a notification needs, not the full content (read it over HTTP).
 */
export class ProposalCreatedV1 extends ProposalSourcesV1 {
  @IsUUID()
  proposal_id!: string;

  @IsIn(PROPOSAL_KINDS)
  kind!: ProposalKind;

  @IsIn(AGENT_ORIGINS)
  origin!: AgentOrigin;

  /** The agent: `builtin:<name>`, `llm:<name>` or the external agent client's id. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  agent!: string;

  /** The model and its version, e.g. `ihf-builtin/duplicates@1`. */
  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model_ref!: string;

  @IsNumber()
  @Min(0)
  @Max(1)
  confidence!: number;

  /** The first 300 characters of the content, for lists and notifications. */
  @IsString()
  @MaxLength(300)
  excerpt!: string;

  /** The pending proposal this one replaced, if any. */
  @IsOptional()
  @IsUUID()
  supersedes_id?: string | null;

  @IsISO8601({ strict: true })
  created_at!: string;
}

/** `ihf.agents.proposal.superseded.v1`: a newer proposal of the same kind and sources replaced a pending one. */
export class ProposalSupersededV1 {
  @IsUUID()
  proposal_id!: string;

  @IsIn(PROPOSAL_KINDS)
  kind!: ProposalKind;

  @IsUUID()
  superseded_by_id!: string;

  @IsISO8601({ strict: true })
  superseded_at!: string;
}

/**
 * `ihf.agents.proposal.reviewed.v1`: a person reviewed a proposal (every decision, rejected
 * ones too); an accepted or modified one is also published as `proposal.accepted.v1`.
 */
export class ProposalReviewedV1 {
  @IsUUID()
  proposal_id!: string;

  @IsIn(PROPOSAL_KINDS)
  kind!: ProposalKind;

  @IsIn(REVIEW_DECISIONS)
  decision!: ReviewDecision;

  @IsUUID()
  reviewer_id!: string;

  @IsString()
  @MinLength(1)
  @MaxLength(200)
  model_ref!: string;

  /** The confidence the agent stated, for calibration downstream. */
  @IsNumber()
  @Min(0)
  @Max(1)
  confidence!: number;

  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string | null;

  @IsISO8601({ strict: true })
  reviewed_at!: string;
}
