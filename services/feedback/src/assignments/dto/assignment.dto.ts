import { ApiProperty } from '@nestjs/swagger';
import { IsUUID } from 'class-validator';

export class AssignReviewerDto {
  @ApiProperty({ format: 'uuid', description: 'A user holding the reviewer role in the hub' })
  @IsUUID()
  reviewer_id!: string;
}

/** A candidate's reviewer on the wire. */
export interface AssignmentView {
  readonly candidate_id: string;
  readonly reviewer_id: string;
  readonly previous_reviewer_id: string | null;
  readonly assigned_by: string | null;
  readonly assigned_at: string;
}
