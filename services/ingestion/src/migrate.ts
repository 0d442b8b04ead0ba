import 'reflect-metadata';
import { ensureDatabase, migrateSchema } from '@ihf/persistence';
import { ConfigValidationError, loadConfig, ServiceConfig } from '@ihf/platform';
import { ingestionOrmSettings } from './database/ingestion-orm.settings.js';

/** `npm run migrate -w services/ingestion`: brings the ingestion schema up to date, then exits. */
async function main(): Promise<void> {
  const config = loadConfig(ServiceConfig);
  await ensureDatabase(config.DATABASE_URL);
  const result = await migrateSchema(ingestionOrmSettings(config.DATABASE_URL));
  process.stdout.write(
    `ingestion: ${result.applied.length ? `applied ${result.applied.join(', ')}` : 'schema up to date'}\n`,
  );
}

main().catch((error: unknown) => {
  if (error instanceof ConfigValidationError) process.stderr.write(`${error.message}\n`);
  else
    process.stderr.write(
      `ingestion migration failed: ${error instanceof Error ? error.message : String(error)}\n`,
    );
  process.exit(1);
});
