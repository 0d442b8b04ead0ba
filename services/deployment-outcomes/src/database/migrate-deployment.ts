import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { deploymentOrmSettings } from './deployment-orm.settings.js';

/** Creates the database if needed and brings the deployment schema up to date (advisory-locked). */
export async function migrateDeployment(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(deploymentOrmSettings(databaseUrl));
}
