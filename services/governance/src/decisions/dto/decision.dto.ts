import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsRFC3339,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  DECISION_OUTCOMES,
  type DecisionOutcome,
  WORK_ITEM_SYSTEMS,
  type WorkItemSystem,
} from '@ihf/contracts';
import { DecisionView } from '../../requirements/dto/requirement.dto.js';
import { NoNulCharacters } from '../../common/text.js';

/** Records a decision on a requirement and/or a candidate (at least one). */
export class RecordDecisionDto {
  @ApiPropertyOptional({
    format: 'uuid',
    description: 'Client-chosen id: re-sending the same request returns the stored decision',
  })
  @IsOptional()
  @IsUUID()
  id?: string;

  @ApiProperty()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'title must not be blank' })
  @MaxLength(300)
  title!: string;

  @ApiProperty()
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'rationale must not be blank' })
  @MaxLength(20_000)
  rationale!: string;

  @ApiProperty({
    enum: DECISION_OUTCOMES,
    description:
      'approved: goes ahead; rejected: does not; deferred: decided again later; needs_information: cannot be decided yet',
  })
  @IsIn(DECISION_OUTCOMES)
  outcome!: DecisionOutcome;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  requirement_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  candidate_id?: string;

  @ApiPropertyOptional({ format: 'uuid', description: 'The decision this one supersedes' })
  @IsOptional()
  @IsUUID()
  supersedes_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(20_000)
  notes?: string;
}

export class AddPolicyReferenceDto {
  @ApiProperty({ example: 'privacy/gdpr' })
  @IsString()
  @NoNulCharacters()
  @Matches(/\S/, { message: 'policy_scope must not be blank' })
  @MaxLength(200)
  policy_scope!: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(5000)
  constraint_note?: string;
}

export class LinkWorkItemDto {
  @ApiProperty({ enum: WORK_ITEM_SYSTEMS })
  @IsIn(WORK_ITEM_SYSTEMS)
  system!: WorkItemSystem;

  @ApiProperty({
    description:
      'github owner/repo#123, gitlab group/project#12 or !7, jira PROJ-42, linear ENG-42, azure_boards AB#123, url https://…',
  })
  // Printable ASCII (percent-encode a URL) and short: the reference is a key of a unique
  // btree index, whose entries must stay under Postgres' ~2.7 kB (2,000 CJK characters were a 500).
  @IsString()
  @NoNulCharacters()
  @MaxLength(500)
  @Matches(/^[\x21-\x7e]+$/, {
    message: 'ref must be printable ASCII without spaces (percent-encode a URL)',
  })
  ref!: string;
}

export class DecisionLogQuery {
  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  hub_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  widget_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  requirement_id?: string;

  @ApiPropertyOptional({ enum: DECISION_OUTCOMES })
  @IsOptional()
  @IsIn(DECISION_OUTCOMES)
  outcome?: DecisionOutcome;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  decided_by?: string;

  // RFC 3339 (a date-time with its offset), not any ISO 8601: week and ordinal dates
  // (`2026-W01`) pass a strict ISO check but are no JavaScript Date, which was a 500.
  @ApiPropertyOptional({ format: 'date-time', description: 'decided_at ≥ from' })
  @IsOptional()
  @IsRFC3339()
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'decided_at < to' })
  @IsOptional()
  @IsRFC3339()
  to?: string;

  @ApiPropertyOptional({ description: 'Words in title, rationale or notes' })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(200)
  q?: string;

  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(200)
  cursor?: string;
}

export class DecisionPageView {
  @ApiProperty({ type: [DecisionView] }) items!: DecisionView[];
  @ApiProperty({ nullable: true, type: String }) next_cursor!: string | null;
}

export class PolicyScopeView {
  @ApiProperty() policy_scope!: string;
  @ApiProperty({ description: 'References citing it' }) references!: number;
}

export class PolicyScopeListView {
  @ApiProperty({ type: [PolicyScopeView] }) items!: PolicyScopeView[];
}
