import {
  IsIn,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  MaxLength,
  MinLength,
  ValidateIf,
} from 'class-validator';
import {
  ANNOTATION_CATEGORIES,
  type AnnotationCategory,
  SEVERITIES,
  type Severity,
} from '../feedback/feedback.events.js';
import { WORK_ITEM_SYSTEMS, type WorkItemSystem } from '../governance/governance.events.js';

/** Kinds of agent proposal (the seed's `agent_proposals.proposal_type`). */
export const PROPOSAL_KINDS = [
  'summary',
  'requirement_draft',
  'duplicate_flag',
  'policy_flag',
  'impl_proposal',
] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

const isDuplicateFlag = (o: ProposalAcceptedV1): boolean => o.kind === 'duplicate_flag';
const isRequirementDraft = (o: ProposalAcceptedV1): boolean => o.kind === 'requirement_draft';
const isPolicyFlag = (o: ProposalAcceptedV1): boolean => o.kind === 'policy_flag';
const isImplProposal = (o: ProposalAcceptedV1): boolean => o.kind === 'impl_proposal';
/** impl_proposal names a decision or a requirement (one of them). */
const needsImplTarget =
  (other: 'decision_id' | 'requirement_id') =>
  (o: ProposalAcceptedV1): boolean =>
    isImplProposal(o) && !o[other];

/**
 * `ihf.agents.proposal.accepted.v1`: a human accepted an agent's proposal. The kinds that act
 * on triage carry their details as flat fields (required for that kind, absent otherwise):
 *
 * - `duplicate_flag`: `candidate_id` duplicates `duplicate_of_id`;
 * - `requirement_draft`: a new candidate (`title`, `description`, `category`, `severity`,
 *   `source_widget_id`, optional `source_thread_id` / `source_annotation_id`);
 * - `policy_flag`: the decision `decision_id` cites `policy_scope` (optional `constraint_note`);
 * - `impl_proposal`: a work-item draft (`title`, `description`, optional `work_item_system`) on
 *   the decision `decision_id` or the requirement `requirement_id`.
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
  @ValidateIf(isDuplicateFlag)
  @IsUUID()
  candidate_id?: string;

  /** duplicate_flag: the candidate it duplicates. */
  @ValidateIf(isDuplicateFlag)
  @IsUUID()
  duplicate_of_id?: string;

  /** requirement_draft: the candidate's title; impl_proposal: the work-item draft's. */
  @ValidateIf((o: ProposalAcceptedV1) => isRequirementDraft(o) || isImplProposal(o))
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @ValidateIf((o: ProposalAcceptedV1) => isRequirementDraft(o) || isImplProposal(o))
  @IsString()
  @MinLength(1)
  @MaxLength(20_000)
  description?: string;

  @ValidateIf(isRequirementDraft)
  @IsIn(ANNOTATION_CATEGORIES)
  category?: AnnotationCategory;

  @IsOptional()
  @IsIn(SEVERITIES)
  severity?: Severity;

  @ValidateIf(isRequirementDraft)
  @IsUUID()
  source_widget_id?: string;

  @IsOptional()
  @IsUUID()
  source_thread_id?: string | null;

  @IsOptional()
  @IsUUID()
  source_annotation_id?: string | null;

  /** policy_flag: the decision that cites the scope; impl_proposal: the decision (or requirement_id). */
  @ValidateIf((o: ProposalAcceptedV1) => isPolicyFlag(o) || needsImplTarget('requirement_id')(o))
  @IsUUID()
  decision_id?: string | null;

  /** impl_proposal: the requirement the draft is for (when no decision_id). */
  @ValidateIf(needsImplTarget('decision_id'))
  @IsUUID()
  requirement_id?: string | null;

  /** policy_flag: the policy scope cited. */
  @ValidateIf(isPolicyFlag)
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
