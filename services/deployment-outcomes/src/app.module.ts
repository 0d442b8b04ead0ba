import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { Clock, SystemClock } from './common/clock.js';
import { DeploymentConfig } from './config/deployment.config.js';
import { DEPLOYMENT_SCHEMA, deploymentOrmSettings } from './database/deployment-orm.settings.js';
import { DeploymentsModule } from './deployments/deployments.module.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { RollupsModule } from './rollups/rollups.module.js';

/** Service name: logs, metrics, envelope producer. */
export const SERVICE_NAME = 'deployment-outcomes';

/** Makes the validated {@link DeploymentConfig} and the clock injectable everywhere. */
@Global()
@Module({})
class DeploymentConfigModule {
  static forRoot(config: DeploymentConfig, clock: Clock): DynamicModule {
    return {
      module: DeploymentConfigModule,
      providers: [
        { provide: DeploymentConfig, useValue: config },
        { provide: Clock, useValue: clock },
      ],
      exports: [DeploymentConfig, Clock],
    };
  }
}

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
  /** The clock windows and the scheduler read (tests move it). */
  readonly clock?: Clock;
}

/** The deployment-outcomes service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: DeploymentConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        DeploymentConfigModule.forRoot(config, extras.clock ?? new SystemClock()),
        PersistenceModule.forRoot(deploymentOrmSettings(config.DATABASE_URL)),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: DEPLOYMENT_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_DEPLOYMENT'],
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
        ReadModelsModule,
        RollupsModule,
        DeploymentsModule,
      ],
    };
  }
}
