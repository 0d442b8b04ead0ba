import { Module } from '@nestjs/common';
import { AsyncApiController } from './asyncapi.controller.js';

/** Serves the platform's AsyncAPI document at `/docs/asyncapi`. */
@Module({ controllers: [AsyncApiController] })
export class AsyncApiModule {}
