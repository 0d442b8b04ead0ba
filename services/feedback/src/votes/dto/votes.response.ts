import { ApiProperty } from '@nestjs/swagger';
import { type VotesView } from '../votes.service.js';

export class VotesResponse implements VotesView {
  @ApiProperty({ format: 'uuid' })
  candidate_id!: string;

  @ApiProperty({ type: 'integer', minimum: 0, description: 'Hub users and reporters, each once' })
  vote_count!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  user_votes!: number;

  @ApiProperty({ type: 'integer', minimum: 0, description: '"Me too" from end users (SDK)' })
  reporter_votes!: number;

  @ApiProperty()
  voted_by_me!: boolean;
}
