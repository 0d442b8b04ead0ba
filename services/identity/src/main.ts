import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { IdentityConfig } from './config/identity.config.js';
import { loadIdentityConfigOrExit } from './config/load-identity-config.js';
import { migrateIdentity } from './database/migrate-identity.js';
import { DEFAULT_PORT, IDENTITY_OPENAPI } from './openapi.js';

async function main(): Promise<void> {
  const config = loadIdentityConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateIdentity(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    config: IdentityConfig,
    openApi: IDENTITY_OPENAPI,
  });
}

void main();
