import { Module } from '@nestjs/common';
import { DecisionsController } from './decisions/decisions.controller.js';
import { DecisionsService } from './decisions/decisions.service.js';
import { ProposalHandlers } from './decisions/proposals.handlers.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { WorkItemsController } from './work-items/work-items.controller.js';
import { WorkItemsService } from './work-items/work-items.service.js';
import { RequirementsController } from './requirements/requirements.controller.js';
import { RequirementsService } from './requirements/requirements.service.js';

/** Requirements, decisions, policy references and work items: one module, they refer to each other. */
@Module({
  imports: [ReadModelsModule],
  controllers: [RequirementsController, DecisionsController, WorkItemsController],
  providers: [RequirementsService, DecisionsService, WorkItemsService, ProposalHandlers],
})
export class GovernanceModule {}
