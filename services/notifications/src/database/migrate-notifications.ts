import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { notificationsOrmSettings } from './notifications-orm.settings.js';

/** Creates the database if needed and brings the notifications schema up to date (advisory-locked). */
export async function migrateNotifications(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(notificationsOrmSettings(databaseUrl));
}
