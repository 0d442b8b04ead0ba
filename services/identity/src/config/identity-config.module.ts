import { type DynamicModule, Global, Module } from '@nestjs/common';
import { IdentityConfig } from './identity.config.js';

/** Makes the already validated {@link IdentityConfig} injectable everywhere. */
@Global()
@Module({})
export class IdentityConfigModule {
  static forRoot(config: IdentityConfig): DynamicModule {
    return {
      module: IdentityConfigModule,
      providers: [{ provide: IdentityConfig, useValue: config }],
      exports: [IdentityConfig],
    };
  }
}
