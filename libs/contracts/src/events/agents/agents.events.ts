import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
} from 'class-validator';
import { RequiredWhen } from '../../schema/presence.js';
import {
  ANNOTATION_CATEGORIES,
  PROPOSAL_KINDS,
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
