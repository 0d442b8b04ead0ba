import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { SERVICE_NAME } from './app.module.js';
import { governanceAppOptions } from './bootstrap.js';
import { GovernanceConfig } from './config/governance.config.js';
import { loadGovernanceConfigOrExit } from './config/load-governance-config.js';
import { migrateGovernance } from './database/migrate-governance.js';

async function main(): Promise<void> {
  const config = loadGovernanceConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateGovernance(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({ ...governanceAppOptions(config), config: GovernanceConfig });
}

void main();
