import { Module } from '@nestjs/common';
import { ReadModelsModule } from '../read-models/read-models.module.js';
import { AnnotationHandlers } from './annotations.handlers.js';
import { AnnotationsController } from './annotations.controller.js';
import { AnnotationsService } from './annotations.service.js';

@Module({
  imports: [ReadModelsModule],
  controllers: [AnnotationsController],
  providers: [AnnotationsService, AnnotationHandlers],
  exports: [AnnotationsService],
})
export class AnnotationsModule {}
