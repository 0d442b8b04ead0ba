import { type DynamicModule, Module } from '@nestjs/common';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { AgentsModule } from './agents/agents.module.js';
import { AuthModule } from './auth/auth.module.js';
import { IdentityConfigModule } from './config/identity-config.module.js';
import { type IdentityConfig } from './config/identity.config.js';
import { IDENTITY_SCHEMA, identityOrmSettings } from './database/identity-orm.settings.js';
import { KeysModule } from './keys/keys.module.js';
import { UsersModule } from './users/users.module.js';

/** Service name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'identity';

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
}

/** The identity service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: IdentityConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        IdentityConfigModule.forRoot(config),
        PersistenceModule.forRoot(identityOrmSettings(config.DATABASE_URL)),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: IDENTITY_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_IDENTITY'],
        }),
        KeysModule,
        UsersModule,
        AgentsModule,
        AuthModule,
      ],
    };
  }
}
