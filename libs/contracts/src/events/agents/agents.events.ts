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

/**
 * `ihf.agents.proposal.accepted.v1`: a human accepted an agent's proposal. The kinds that act
 * on triage carry their details as flat fields (required for that kind, absent otherwise):
 *
 * - `duplicate_flag`: `candidate_id` duplicates `duplicate_of_id`;
 * - `requirement_draft`: a new candidate (`title`, `description`, `category`, `severity`,
 *   `source_widget_id`, optional `source_thread_id` / `source_annotation_id`).
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

  /** requirement_draft: the candidate's title. */
  @ValidateIf(isRequirementDraft)
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @ValidateIf(isRequirementDraft)
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
}
