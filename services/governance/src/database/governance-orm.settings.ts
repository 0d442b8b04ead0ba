import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { InitGovernance } from '../migrations/migration-20261207020000-init.js';
import { DecisionLogAllHubs } from '../migrations/migration-20261207030000-decision-log-all-hubs.js';

/** Postgres schema owned by governance. */
export const GOVERNANCE_SCHEMA = 'governance';

/**
 * ORM settings of the service: its migrations, in order. Like feedback, governance reads and
 * writes its tables with SQL (row locks, `on conflict`, index-shaped log queries), so the ORM
 * only carries the messaging entities (outbox, inbox).
 */
export function governanceOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: GOVERNANCE_SCHEMA,
    databaseUrl,
    entities: [...MESSAGING_ENTITIES],
    migrations: [
      { name: 'Migration20261207020000_init', class: InitGovernance },
      { name: 'Migration20261207030000_decision_log_all_hubs', class: DecisionLogAllHubs },
    ],
  };
}
