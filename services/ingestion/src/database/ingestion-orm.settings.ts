import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { HubApiKey } from '../api-keys/hub-api-key.entity.js';
import {
  AdapterSpec,
  EnvelopeContract,
  ReportingContract,
} from '../contracts/contract.entities.js';
import { Hub } from '../hubs/hub.entity.js';
import { InitIngestion } from '../migrations/migration-20261127210000-init.js';
import { SeedContractsV1 } from '../migrations/migration-20261127210100-seed-contracts-v1.js';
import { TailInteractionEvents } from '../migrations/migration-20261127213000-tail-interaction-events.js';
import { InteractionTraceparent } from '../migrations/migration-20261207070000-interaction-traceparent.js';
import { TailLocalWake } from '../migrations/migration-20261207071000-tail-local-wake.js';
import { QuarantineDedupeKey } from '../migrations/migration-20261127220000-quarantine-dedupe-key.js';
import { CacheInvalidation } from '../migrations/migration-20261128000000-cache-invalidation.js';
import { Widget, WidgetVersion } from '../widgets/widget.entity.js';

/** Postgres schema owned by ingestion. */
export const INGESTION_SCHEMA = 'ingestion';

/** ORM settings of the service: its entities and its migrations, in order. */
export function ingestionOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: INGESTION_SCHEMA,
    databaseUrl,
    entities: [
      Hub,
      HubApiKey,
      Widget,
      WidgetVersion,
      EnvelopeContract,
      ReportingContract,
      AdapterSpec,
      ...MESSAGING_ENTITIES,
    ],
    migrations: [
      { name: 'Migration20261127210000_init', class: InitIngestion },
      { name: 'Migration20261127210100_seed_contracts_v1', class: SeedContractsV1 },
      { name: 'Migration20261127213000_tail_interaction_events', class: TailInteractionEvents },
      { name: 'Migration20261127220000_quarantine_dedupe_key', class: QuarantineDedupeKey },
      { name: 'Migration20261128000000_cache_invalidation', class: CacheInvalidation },
      { name: 'Migration20261207070000_interaction_traceparent', class: InteractionTraceparent },
      { name: 'Migration20261207071000_tail_local_wake', class: TailLocalWake },
    ],
    poolMax: 20,
  };
}
