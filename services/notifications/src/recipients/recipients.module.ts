import { Module } from '@nestjs/common';
import { RecipientsHandlers } from './recipients.handlers.js';

@Module({ providers: [RecipientsHandlers] })
export class RecipientsModule {}
