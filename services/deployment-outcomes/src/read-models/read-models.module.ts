import { Module } from '@nestjs/common';
import { ReadModelHandlers } from './read-models.handlers.js';

@Module({ providers: [ReadModelHandlers] })
export class ReadModelsModule {}
