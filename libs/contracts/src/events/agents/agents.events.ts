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
  type AnnotationCategory,
  type ProposalKind,
  type Severity,
} from '../../value-sets/value-sets.js';

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
  @RequiredWhen('kind', 'duplicate_flag')
  @IsUUID()
  candidate_id?: string;

  /** duplicate_flag: the candidate it duplicates. */
  @RequiredWhen('kind', 'duplicate_flag')
  @IsUUID()
  duplicate_of_id?: string;

  /** requirement_draft: the candidate's title. */
  @RequiredWhen('kind', 'requirement_draft')
  @IsString()
  @MinLength(1)
  @MaxLength(300)
  title?: string;

  @RequiredWhen('kind', 'requirement_draft')
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
}
