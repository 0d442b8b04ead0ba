import { Module } from '@nestjs/common';
import { ReadModelHandlers } from './read-models.handlers.js';
import { WidgetDirectory } from './widget-directory.service.js';

@Module({
  providers: [ReadModelHandlers, WidgetDirectory],
  exports: [WidgetDirectory],
})
export class ReadModelsModule {}
