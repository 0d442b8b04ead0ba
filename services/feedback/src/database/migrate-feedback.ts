import { ensureDatabase, migrateSchema, type MigrationRunResult } from '@ihf/persistence';
import { feedbackOrmSettings } from './feedback-orm.settings.js';

/** Creates the database if needed and brings the feedback schema up to date (advisory-locked). */
export async function migrateFeedback(databaseUrl: string): Promise<MigrationRunResult> {
  await ensureDatabase(databaseUrl);
  return migrateSchema(feedbackOrmSettings(databaseUrl));
}
