import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { SERVICE_NAME } from './app.module.js';
import { feedbackAppOptions } from './bootstrap.js';
import { FeedbackConfig } from './config/feedback.config.js';
import { loadFeedbackConfigOrExit } from './config/load-feedback-config.js';
import { migrateFeedback } from './database/migrate-feedback.js';

async function main(): Promise<void> {
  const config = loadFeedbackConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateFeedback(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({ ...feedbackAppOptions(config), config: FeedbackConfig });
}

void main();
