import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { SERVICE_NAME } from './app.module.js';
import { notificationsAppOptions } from './bootstrap.js';
import { NotificationsConfig } from './config/notifications.config.js';
import { loadNotificationsConfigOrExit } from './config/load-notifications-config.js';
import { migrateNotifications } from './database/migrate-notifications.js';

async function main(): Promise<void> {
  const config = loadNotificationsConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateNotifications(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({ ...notificationsAppOptions(config), config: NotificationsConfig });
}

void main();
