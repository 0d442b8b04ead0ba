import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { InitAgents } from '../migrations/migration-2026120814000100-init.js';

/** Postgres schema owned by agent-proposals. */
export const AGENTS_SCHEMA = 'agents';

/**
 * ORM settings of the service: its migrations, in order. Like feedback and governance, the
 * service reads and writes its tables with SQL (advisory locks, `on conflict`, pg_trgm), so the
 * ORM only carries the messaging entities (outbox, inbox).
 */
export function agentsOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: AGENTS_SCHEMA,
    databaseUrl,
    entities: [...MESSAGING_ENTITIES],
    migrations: [{ name: 'Migration2026120814000100_init', class: InitAgents }],
  };
}
