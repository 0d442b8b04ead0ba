import { type DynamicModule, Global, Module } from '@nestjs/common';
import { AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule, type ObservabilityModuleOptions } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { AnnotationsModule } from './annotations/annotations.module.js';
import { AssignmentsModule } from './assignments/assignments.module.js';
import { CandidatesModule } from './candidates/candidates.module.js';
import { FeedbackConfig } from './config/feedback.config.js';
import { MergesModule } from './merges/merges.module.js';
import { SubscriptionsModule } from './subscriptions/subscriptions.module.js';
import { VotesModule } from './votes/votes.module.js';
import { FEEDBACK_SCHEMA, feedbackOrmSettings } from './database/feedback-orm.settings.js';
import { ReadModelsModule } from './read-models/read-models.module.js';
import { ThreadsModule } from './threads/threads.module.js';
import { TriageModule } from './triage/triage.module.js';

/** Service name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'feedback';

/** Makes the already validated {@link FeedbackConfig} injectable everywhere. */
@Global()
@Module({})
class FeedbackConfigModule {
  static forRoot(config: FeedbackConfig): DynamicModule {
    return {
      module: FeedbackConfigModule,
      providers: [{ provide: FeedbackConfig, useValue: config }],
      exports: [FeedbackConfig],
    };
  }
}

/** Extra options of {@link AppModule.forRoot}, for tests. */
export interface AppModuleExtras {
  readonly observability?: Partial<ObservabilityModuleOptions>;
}

/** The feedback service, built from its validated config. */
@Module({})
export class AppModule {
  static forRoot(config: FeedbackConfig, extras: AppModuleExtras = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({
          service: SERVICE_NAME,
          logLevel: config.LOG_LEVEL,
          ...extras.observability,
        }),
        FeedbackConfigModule.forRoot(config),
        PersistenceModule.forRoot(feedbackOrmSettings(config.DATABASE_URL)),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: FEEDBACK_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_FEEDBACK'],
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
        ReadModelsModule,
        AnnotationsModule,
        ThreadsModule,
        CandidatesModule,
        TriageModule,
        AssignmentsModule,
        VotesModule,
        SubscriptionsModule,
        MergesModule,
      ],
    };
  }
}
