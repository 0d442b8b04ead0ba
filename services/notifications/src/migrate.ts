import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { ConfigValidationError, loadConfig, ServiceConfig } from '@ihf/platform';
import { migrateNotifications } from './database/migrate-notifications.js';

/**
 * `npm run migrate`: brings the notifications schema up to date and exits. Reads only the common
 * variables (DATABASE_URL, LOG_LEVEL): migrating needs no JWKS URL.
 */
async function main(): Promise<void> {
  let config: ServiceConfig;
  try {
    config = loadConfig(ServiceConfig);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`notifications migrate cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
  const logger = createLogger({ service: 'notifications', level: config.LOG_LEVEL });
  try {
    const result = await migrateNotifications(config.DATABASE_URL);
    logger.info(
      { applied: result.applied },
      `notifications schema: ${result.applied.length} migration(s) applied`,
    );
  } catch (err) {
    logger.fatal({ err }, 'notifications migration failed');
    process.exitCode = 1;
  }
}

void main();
