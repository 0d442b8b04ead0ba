import { ApiProperty } from '@nestjs/swagger';
import {
  CANDIDATE_STATUSES,
  type CandidateStatus,
  PARTICIPANT_KINDS,
  type ParticipantKind,
} from '@ihf/contracts';
import { type MergeItemView, type MergesView, type MergeView } from '../merges.service.js';

export class MergeItemResponse implements MergeItemView {
  @ApiProperty({ enum: ['vote', 'subscription'] })
  item!: 'vote' | 'subscription';

  @ApiProperty({ enum: PARTICIPANT_KINDS })
  participant_kind!: ParticipantKind;

  @ApiProperty({ format: 'uuid' })
  participant_id!: string;

  @ApiProperty({
    description: 'The kept candidate had this person already: counted once there',
  })
  collapsed!: boolean;

  @ApiProperty({ format: 'date-time', description: 'When the vote or subscription was made' })
  original_at!: string;
}

export class MergeResponse implements MergeView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ format: 'uuid', description: 'The candidate merged away (status `duplicate`)' })
  duplicate_id!: string;

  @ApiProperty({ format: 'uuid', description: 'The candidate kept' })
  kept_id!: string;

  @ApiProperty({ enum: CANDIDATE_STATUSES, description: "The duplicate's status before" })
  from_status!: CandidateStatus;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  merged_by!: string | null;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The accepted agent duplicate flag behind it',
  })
  source_proposal_id!: string | null;

  @ApiProperty({ format: 'date-time' })
  merged_at!: string;

  @ApiProperty({ type: String, format: 'date-time', nullable: true })
  undone_at!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  undone_by!: string | null;

  @ApiProperty({ type: [MergeItemResponse], description: 'The votes and subscriptions it moved' })
  items!: MergeItemResponse[];
}

export class MergesResponse implements MergesView {
  @ApiProperty({ format: 'uuid' })
  candidate_id!: string;

  @ApiProperty({
    type: [MergeResponse],
    description: 'Into and out of it, newest first (100 at most)',
  })
  merges!: MergeResponse[];
}
