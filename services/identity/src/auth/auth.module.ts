import { Module } from '@nestjs/common';
import { AgentsModule } from '../agents/agents.module.js';
import { KeysModule } from '../keys/keys.module.js';
import { UsersModule } from '../users/users.module.js';
import { AuthController } from './auth.controller.js';
import { AuthService } from './auth.service.js';
import { RefreshTokenJanitor } from './refresh-token.janitor.js';
import { TokenVerificationModule } from './token-verification.module.js';

@Module({
  imports: [KeysModule, UsersModule, AgentsModule, TokenVerificationModule],
  controllers: [AuthController],
  providers: [AuthService, RefreshTokenJanitor],
})
export class AuthModule {}
