import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { agentsOrmSettings } from './agents-orm.settings.js';

/** Creates the database if needed and brings the agents schema up to date (advisory-locked). */
export async function migrateAgents(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(agentsOrmSettings(databaseUrl));
}
