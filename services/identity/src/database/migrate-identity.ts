import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { identityOrmSettings } from './identity-orm.settings.js';

/** Creates the database if needed and brings the identity schema up to date (advisory-locked). */
export async function migrateIdentity(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(identityOrmSettings(databaseUrl));
}
