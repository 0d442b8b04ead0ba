import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module.js';
import { VoteHandlers } from './votes.handlers.js';
import { VotesController } from './votes.controller.js';
import { VotesService } from './votes.service.js';

@Module({
  imports: [CandidatesModule],
  controllers: [VotesController],
  providers: [VotesService, VoteHandlers],
})
export class VotesModule {}
