import { MESSAGING_ENTITIES } from '@ihf/messaging';
import { type ServiceOrmSettings } from '@ihf/persistence';
import { InitNotifications } from '../migrations/migration-2026120816200001-init.js';

/** Postgres schema owned by notifications. */
export const NOTIFICATIONS_SCHEMA = 'notifications';

/**
 * ORM settings of the service: its migrations, in order. Like governance, its tables are read
 * and written with SQL (`on conflict`, `for update skip locked`), so the ORM only carries the
 * messaging entities (outbox, inbox).
 */
export function notificationsOrmSettings(databaseUrl: string): ServiceOrmSettings {
  return {
    schema: NOTIFICATIONS_SCHEMA,
    databaseUrl,
    entities: [...MESSAGING_ENTITIES],
    migrations: [{ name: 'Migration2026120816200001_init', class: InitNotifications }],
  };
}
