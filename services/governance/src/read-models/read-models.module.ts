import { Module } from '@nestjs/common';
import { CandidateDirectory } from './candidate-directory.service.js';
import { ReadModelHandlers } from './read-models.handlers.js';
import { WidgetDirectory } from './widget-directory.service.js';

@Module({
  providers: [ReadModelHandlers, WidgetDirectory, CandidateDirectory],
  exports: [WidgetDirectory, CandidateDirectory],
})
export class ReadModelsModule {}
