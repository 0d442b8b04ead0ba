import { Module } from '@nestjs/common';
import { CandidatesModule } from '../candidates/candidates.module.js';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { TriageController } from './triage.controller.js';
import { TriageHandlers } from './triage.handlers.js';
import { TriageQueueService } from './triage-queue.service.js';
import { TriageService } from './triage.service.js';

@Module({
  imports: [CandidatesModule, ReadModelsModule],
  controllers: [TriageController],
  providers: [TriageService, TriageQueueService, TriageHandlers],
  exports: [TriageService],
})
export class TriageModule {}
