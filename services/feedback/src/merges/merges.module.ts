import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module.js';
import { TriageModule } from '../triage/triage.module.js';
import { MergesController } from './merges.controller.js';
import { MergesService } from './merges.service.js';

@Module({
  imports: [CandidatesModule, TriageModule],
  controllers: [MergesController],
  providers: [MergesService],
})
export class MergesModule {}
