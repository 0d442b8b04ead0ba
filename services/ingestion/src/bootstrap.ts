import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  type Env,
  installLoadShedding,
  type OpenApiOptions,
  type ServiceBootstrapOptions,
} from '@ihf/platform';
import { NamespacedNatsServer } from '@ihf/messaging';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { OverloadedError } from './common/unavailable.error.js';
import { type IngestionConfig } from './config/ingestion.config.js';
import { GroupCommitWriter } from './reporting/group-commit.writer.js';
import { jsonBodyParser } from './reporting/json-body.parser.js';

/** Ingestion's default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3001;

/** How a reporter must treat an unanswered or 503 write (README, "Delivery contract"). */
const DELIVERY_CONTRACT = [
  'Delivery contract of `POST /api/v1/interaction-events` and `POST /api/v1/annotations`:',
  'a `202` means every event it lists as `accepted` or `duplicate` is stored.',
  'A `503` (`INGESTION.STORAGE_UNAVAILABLE`), a time-out or a dropped connection means',
  '"outcome unknown": the write may or may not have been stored.',
  'Resend the same events with the same ids after `Retry-After`; this is always safe, because',
  'ids are deduplicated forever (a stored id is answered `duplicate`).',
  'An interaction-events write answered 503 after `INGESTION_DB_WRITE_TIMEOUT_MS` is never',
  'committed afterwards (its transaction commits only while the request still waits).',
].join(' ');

/** Ingestion's OpenAPI document: title, description and the tags its operations use. */
export const INGESTION_OPENAPI: OpenApiOptions = {
  title: 'IHF ingestion',
  description:
    'Hubs, widgets and their contracts; the reporting endpoints the browser SDK calls with a hub API key; stored events, counts and the quarantine of refused events. Errors are `application/problem+json` with a stable `code`.\n\n' +
    DELIVERY_CONTRACT,
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'hubs', description: 'Hubs: one per site whose widgets are observed' },
    { name: 'api-keys', description: 'Hub API keys, with which the browser SDK reports' },
    { name: 'widgets', description: 'Widgets of a hub and their versions' },
    {
      name: 'contracts',
      description: 'The contract registry: envelope and reporting contracts, adapter specs',
    },
    {
      name: 'reporting',
      description: 'Interaction events and annotations reported with a hub API key',
    },
    { name: 'queries', description: 'Stored interaction events and their counts' },
    { name: 'quarantine', description: 'Refused events kept for inspection and replay' },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function ingestionAppOptions(config: IngestionConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    // Compressed bodies are limited here, decompressed ones by the JSON parser.
    bodyLimit: config.INGESTION_MAX_BODY_BYTES,
    env,
    openApi: INGESTION_OPENAPI,
    jsonBodyParser: jsonBodyParser(config.INGESTION_MAX_BODY_BYTES),
    configure: (app: NestFastifyApplication) => {
      const writer = app.get(GroupCommitWriter);
      installLoadShedding(app.getHttpAdapter().getInstance(), {
        routes: ['POST /api/v1/interaction-events'],
        maxInFlight: config.INGESTION_MAX_IN_FLIGHT_REQUESTS,
        maxConnections: config.INGESTION_MAX_CONNECTIONS,
        maxEventLoopDelayMs: config.INGESTION_MAX_EVENT_LOOP_DELAY_MS,
        refuse: (reason) => new OverloadedError(config.INGESTION_OVERLOAD_RETRY_AFTER_SEC, reason),
        onShed: (reason) => writer.countOverload(reason),
      });
      app.connectMicroservice(
        {
          strategy: new NamespacedNatsServer({
            natsUrl: config.NATS_URL,
            service: SERVICE_NAME,
            namespace: config.IHF_NATS_NAMESPACE,
          }),
        },
        { inheritAppConfig: false },
      );
    },
  };
}
