import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { loadFeedbackConfigOrExit } from './config/load-feedback-config.js';
import { migrateFeedback } from './database/migrate-feedback.js';

/** `npm run migrate`: brings the feedback schema up to date and exits. */
async function main(): Promise<void> {
  const config = loadFeedbackConfigOrExit('feedback migrate');
  const logger = createLogger({ service: 'feedback', level: config.LOG_LEVEL });
  try {
    const result = await migrateFeedback(config.DATABASE_URL);
    logger.info(
      { applied: result.applied },
      `feedback schema: ${result.applied.length} migration(s) applied`,
    );
  } catch (err) {
    logger.fatal({ err }, 'feedback migration failed');
    process.exitCode = 1;
  }
}

void main();
