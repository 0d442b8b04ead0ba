import './tracing.js';
import 'reflect-metadata';
import { ensureDatabase, migrateSchema } from '@ihf/persistence';
import { bootstrapService, ConfigValidationError, loadConfig } from '@ihf/platform';
import { ingestionAppOptions } from './bootstrap.js';
import { IngestionConfig } from './config/ingestion.config.js';
import { ingestionOrmSettings } from './database/ingestion-orm.settings.js';

async function main(): Promise<void> {
  let config: IngestionConfig;
  try {
    config = loadConfig(IngestionConfig);
  } catch (error) {
    if (error instanceof ConfigValidationError) {
      process.stderr.write(`ingestion cannot start. ${error.message}\n`);
      process.exit(1);
    }
    throw error;
  }
  await ensureDatabase(config.DATABASE_URL);
  await migrateSchema(ingestionOrmSettings(config.DATABASE_URL));
  await bootstrapService({ ...ingestionAppOptions(config), config: IngestionConfig });
}

main().catch((error: unknown) => {
  process.stderr.write(
    `ingestion failed to start: ${error instanceof Error ? error.message : String(error)}\n`,
  );
  process.exit(1);
});
