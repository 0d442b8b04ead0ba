import { ApiProperty } from '@nestjs/swagger';
import { type AssignmentView } from './assignment.dto.js';

export class AssignmentResponse implements AssignmentView {
  @ApiProperty({ format: 'uuid' })
  candidate_id!: string;

  @ApiProperty({ format: 'uuid' })
  reviewer_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  previous_reviewer_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  assigned_by!: string | null;

  @ApiProperty({ format: 'date-time' })
  assigned_at!: string;
}
