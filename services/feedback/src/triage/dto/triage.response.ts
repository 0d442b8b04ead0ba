import { ApiProperty } from '@nestjs/swagger';
import { type CandidateStatus } from '@ihf/contracts';
import { CandidateResponse } from '../../candidates/dto/candidate.response.js';
import { type TriageQueuePage } from '../triage-queue.service.js';

/** How many candidates each status holds under the queue's filters. */
export class StatusCountsResponse implements Record<CandidateStatus, number> {
  @ApiProperty({ type: 'integer', minimum: 0 })
  open!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  in_review!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  accepted!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  rejected!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  deferred!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  duplicate!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  promoted!: number;
}

export class TriageQueueResponse implements TriageQueuePage {
  @ApiProperty({ type: [CandidateResponse] })
  items!: CandidateResponse[];

  @ApiProperty({
    type: String,
    nullable: true,
    description: 'Pass as `cursor` for the next page; null on the last page',
  })
  next_cursor!: string | null;

  @ApiProperty({ type: StatusCountsResponse })
  counts!: StatusCountsResponse;
}
