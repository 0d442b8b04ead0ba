import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { loadIdentityConfigOrExit } from './config/load-identity-config.js';
import { migrateIdentity } from './database/migrate-identity.js';

/** `npm run migrate`: brings the identity schema up to date and exits. */
async function main(): Promise<void> {
  const config = loadIdentityConfigOrExit('identity migrate');
  const logger = createLogger({ service: 'identity', level: config.LOG_LEVEL });
  try {
    const result = await migrateIdentity(config.DATABASE_URL);
    logger.info(
      { applied: result.applied },
      `identity schema: ${result.applied.length} migration(s) applied`,
    );
  } catch (err) {
    logger.fatal({ err }, 'identity migration failed');
    process.exitCode = 1;
  }
}

void main();
