import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { AgentsModule } from './agents/agents.module.js';
import { AsyncApiModule } from './asyncapi/asyncapi.module.js';
import { AgentsConfig } from './config/agents.config.js';
import { AGENTS_SCHEMA, agentsOrmSettings } from './database/agents-orm.settings.js';
import { ProposalsModule } from './proposals/proposals.module.js';

/** Service name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'agent-proposals';

/** Makes the already validated {@link AgentsConfig} injectable everywhere. */
@Global()
@Module({})
class AgentsConfigModule {
  static forRoot(config: AgentsConfig): DynamicModule {
    return {
      module: AgentsConfigModule,
      providers: [{ provide: AgentsConfig, useValue: config }],
      exports: [AgentsConfig],
    };
  }
}

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
}

/** The agent-proposals service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: AgentsConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        AgentsConfigModule.forRoot(config),
        PersistenceModule.forRoot(agentsOrmSettings(config.DATABASE_URL)),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: AGENTS_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_AGENTS'],
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
        ProposalsModule,
        ...(config.AGENTS_BUILTIN_ENABLED === 'true' ? [AgentsModule] : []),
        AsyncApiModule,
      ],
    };
  }
}
