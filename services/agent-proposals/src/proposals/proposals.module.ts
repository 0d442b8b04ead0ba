import { Module } from '@nestjs/common';
import { ScorecardsController } from '../scorecards/scorecards.controller.js';
import { ScorecardsService } from '../scorecards/scorecards.service.js';
import { ProposalWriter } from './proposal-writer.js';
import { ProposalsController } from './proposals.controller.js';
import { ProposalsService } from './proposals.service.js';

/** Proposals, their reviews and the scorecards computed from them. */
@Module({
  controllers: [ProposalsController, ScorecardsController],
  providers: [ProposalsService, ProposalWriter, ScorecardsService],
  exports: [ProposalWriter],
})
export class ProposalsModule {}
