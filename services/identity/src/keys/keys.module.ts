import { Module } from '@nestjs/common';
import { PINO_LOGGER } from '@ihf/observability';
import { type Logger } from 'pino';
import { IdentityConfig } from '../config/identity.config.js';
import { AccessTokenIssuer } from './access-token.issuer.js';
import { KeyRing, loadKeyRing } from './key-ring.js';
import { KeysController } from './keys.controller.js';

@Module({
  controllers: [KeysController],
  providers: [
    {
      provide: KeyRing,
      useFactory: (config: IdentityConfig, logger: Logger) => loadKeyRing(config, logger),
      inject: [IdentityConfig, PINO_LOGGER],
    },
    AccessTokenIssuer,
  ],
  exports: [KeyRing, AccessTokenIssuer],
})
export class KeysModule {}
