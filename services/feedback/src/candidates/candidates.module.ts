import { Module } from '@nestjs/common';
import { CandidatesController } from './candidates.controller.js';
import { CandidatesRpcController } from './candidates.rpc-controller.js';
import { CandidatesService } from './candidates.service.js';

@Module({
  controllers: [CandidatesController, CandidatesRpcController],
  providers: [CandidatesService],
  exports: [CandidatesService],
})
export class CandidatesModule {}
