import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { governanceOrmSettings } from './governance-orm.settings.js';

/** Creates the database if needed and brings the governance schema up to date (advisory-locked). */
export async function migrateGovernance(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(governanceOrmSettings(databaseUrl));
}
