import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { InitFeedback } from '../migrations/migration-20261127220000-init.js';
import { QueueAllHubsIndex } from '../migrations/migration-20261127223000-queue-all-hubs-index.js';
import { WidgetPartVersions } from '../migrations/migration-20261207003000-widget-part-versions.js';
import { ConsumerFailures } from '../migrations/migration-20261207010000-consumer-failures.js';
import { PrincipalVersions } from '../migrations/migration-20261207011000-principal-versions.js';
import { ActorTypeKnown } from '../migrations/migration-20261207012000-actor-type-known.js';
import { VotesSubscribersMerges } from '../migrations/migration-2026120816100100-votes-subscribers-merges.js';

/** Postgres schema owned by feedback. */
export const FEEDBACK_SCHEMA = 'feedback';

/**
 * ORM settings of the service: its migrations, in order. Feedback reads and writes its tables
 * with SQL in each module's repository (the queue and history queries are hand-tuned; see
 * bench/feedback), so the ORM only carries the messaging entities (outbox, inbox).
 */
export function feedbackOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: FEEDBACK_SCHEMA,
    databaseUrl,
    entities: [...MESSAGING_ENTITIES],
    migrations: [
      { name: 'Migration20261127220000_init', class: InitFeedback },
      { name: 'Migration20261127223000_queue_all_hubs_index', class: QueueAllHubsIndex },
      { name: 'Migration20261207003000_widget_part_versions', class: WidgetPartVersions },
      { name: 'Migration20261207010000_consumer_failures', class: ConsumerFailures },
      { name: 'Migration20261207011000_principal_versions', class: PrincipalVersions },
      { name: 'Migration20261207012000_actor_type_known', class: ActorTypeKnown },
      { name: 'Migration2026120816100100_votes_subscribers_merges', class: VotesSubscribersMerges },
    ],
  };
}
