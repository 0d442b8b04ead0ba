import { Module } from '@nestjs/common';
import { OutcomeScheduler } from '../outcomes/outcome-scheduler.js';
import { OutcomesController } from '../outcomes/outcomes.controller.js';
import { OutcomesService } from '../outcomes/outcomes.service.js';
import { DeploymentsController } from './deployments.controller.js';
import { DeploymentsService } from './deployments.service.js';

/** Deployments and their outcomes: one module, outcomes are measured per deployment. */
@Module({
  controllers: [DeploymentsController, OutcomesController],
  providers: [DeploymentsService, OutcomesService, OutcomeScheduler],
  exports: [OutcomeScheduler],
})
export class DeploymentsModule {}
