import { Module } from '@nestjs/common';
import { NoticeHandlers } from './notices.handlers.js';

@Module({ providers: [NoticeHandlers] })
export class NoticesModule {}
