import { Module } from '@nestjs/common';
import { EmailController } from './email.controller.js';
import { EmailPreferencesService } from './email-preferences.service.js';
import { EmailWorker } from './email.worker.js';
import { Mailer } from './mailer.js';

@Module({
  controllers: [EmailController],
  providers: [EmailPreferencesService, Mailer, EmailWorker],
})
export class EmailModule {}
