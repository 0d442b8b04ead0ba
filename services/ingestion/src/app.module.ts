import { type DynamicModule, Module, RequestMethod } from '@nestjs/common';
import { ApiKeyVerifier, AuthModule } from '@ihf/auth';
import { MessagingModule } from '@ihf/messaging';
import { ObservabilityModule } from '@ihf/observability';
import { PersistenceModule } from '@ihf/persistence';
import { AnnotationsController } from './annotations/annotations.controller.js';
import { AnnotationsService } from './annotations/annotations.service.js';
import { MeTooController } from './me-too/me-too.controller.js';
import { MeTooService } from './me-too/me-too.service.js';
import { ApiKeysController } from './api-keys/api-keys.controller.js';
import { ApiKeysService } from './api-keys/api-keys.service.js';
import { HubApiKeyVerifier } from './api-keys/hub-api-key.verifier.js';
import { RetryAfterFilter } from './common/retry-after.filter.js';
import { IngestionConfig } from './config/ingestion.config.js';
import { ActiveContracts } from './contracts/active-contracts.js';
import { ContractsController } from './contracts/contracts.controller.js';
import { ContractsService } from './contracts/contracts.service.js';
import { INGESTION_SCHEMA, ingestionOrmSettings } from './database/ingestion-orm.settings.js';
import { HubsController } from './hubs/hubs.controller.js';
import { HubsService } from './hubs/hubs.service.js';
import { QueriesController } from './queries/queries.controller.js';
import { QueriesService } from './queries/queries.service.js';
import { QuarantineController } from './quarantine/quarantine.controller.js';
import { QuarantineService } from './quarantine/quarantine.service.js';
import { EventValidator } from './reporting/event-validator.js';
import { WidgetFactsCache } from './reporting/widget-facts.cache.js';
import { CacheInvalidation } from './common/cache-invalidation.js';
import { INTERACTION_EVENTS_TAIL } from './reporting/interaction-tail.js';
import { GroupCommitWriter } from './reporting/group-commit.writer.js';
import { ReportingController } from './reporting/reporting.controller.js';
import { ReportingService } from './reporting/reporting.service.js';
import { WidgetsController } from './widgets/widgets.controller.js';
import { WidgetsRpcController } from './widgets/widgets.rpc-controller.js';
import { WidgetsService } from './widgets/widgets.service.js';

/** The ingestion service's name: logs, metrics, envelope producer, queue group. */
export const SERVICE_NAME = 'ingestion';

/** The root module, built from the validated config (tests pass their own). */
@Module({})
export class AppModule {
  static forRoot(config: IngestionConfig): DynamicModule {
    return {
      module: AppModule,
      imports: [
        ObservabilityModule.forRoot({ service: SERVICE_NAME, logLevel: config.LOG_LEVEL }),
        PersistenceModule.forRoot(ingestionOrmSettings(config.DATABASE_URL), {
          // Reports are validated through caches and written through the pool (group commit).
          withoutRequestContext: [
            { path: 'api/v1/interaction-events', method: RequestMethod.POST },
          ],
        }),
        MessagingModule.forRoot({
          service: SERVICE_NAME,
          schema: INGESTION_SCHEMA,
          natsUrl: config.NATS_URL,
          databaseUrl: config.DATABASE_URL,
          namespace: config.IHF_NATS_NAMESPACE,
          streams: ['IHF_INGESTION', 'IHF_EVENTS'],
          tails: [INTERACTION_EVENTS_TAIL],
          tailThread: config.INGESTION_TAIL_RELAY_THREAD,
        }),
        AuthModule.forRoot({
          jwksUrl: config.IHF_JWKS_URL,
          issuer: config.IHF_JWT_ISSUER,
          audience: config.IHF_JWT_AUDIENCE,
        }),
      ],
      controllers: [
        HubsController,
        ApiKeysController,
        WidgetsController,
        WidgetsRpcController,
        ReportingController,
        QuarantineController,
        AnnotationsController,
        MeTooController,
        ContractsController,
        QueriesController,
      ],
      providers: [
        { provide: IngestionConfig, useValue: config },
        HubsService,
        ApiKeysService,
        WidgetsService,
        ActiveContracts,
        EventValidator,
        WidgetFactsCache,
        CacheInvalidation,
        GroupCommitWriter,
        ReportingService,
        QuarantineService,
        AnnotationsService,
        MeTooService,
        ContractsService,
        QueriesService,
        RetryAfterFilter,
        HubApiKeyVerifier,
        { provide: ApiKeyVerifier, useExisting: HubApiKeyVerifier },
      ],
    };
  }
}
