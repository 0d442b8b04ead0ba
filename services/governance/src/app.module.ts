import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { GovernanceConfig } from './config/governance.config.js';
import { GOVERNANCE_SCHEMA, governanceOrmSettings } from './database/governance-orm.settings.js';
import { GovernanceModule } from './governance.module.js';
import { ReadModelsModule } from './read-models/read-models.module.js';

/** Service name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'governance';

/** Makes the already validated {@link GovernanceConfig} injectable everywhere. */
@Global()
@Module({})
class GovernanceConfigModule {
  static forRoot(config: GovernanceConfig): DynamicModule {
    return {
      module: GovernanceConfigModule,
      providers: [{ provide: GovernanceConfig, useValue: config }],
      exports: [GovernanceConfig],
    };
  }
}

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
}

/** The governance service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: GovernanceConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        GovernanceConfigModule.forRoot(config),
        PersistenceModule.forRoot(governanceOrmSettings(config.DATABASE_URL)),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: GOVERNANCE_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_GOVERNANCE'],
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
        ReadModelsModule,
        GovernanceModule,
      ],
    };
  }
}
