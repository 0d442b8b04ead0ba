import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { InitDeployment } from '../migrations/migration-2026120813000200-init.js';

/** Postgres schema owned by deployment-outcomes. */
export const DEPLOYMENT_SCHEMA = 'deployment';

/**
 * ORM settings of the service: its migrations, in order. Like governance, it reads and writes
 * its tables with SQL (`on conflict`, rollup upserts, window sums), so the ORM only carries the
 * messaging entities (outbox, inbox).
 */
export function deploymentOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: DEPLOYMENT_SCHEMA,
    databaseUrl,
    entities: [...MESSAGING_ENTITIES],
    migrations: [{ name: 'Migration2026120813000200_init', class: InitDeployment }],
  };
}
