import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { SERVICE_NAME } from './app.module.js';
import { agentsAppOptions } from './bootstrap.js';
import { AgentsConfig } from './config/agents.config.js';
import { loadAgentsConfigOrExit } from './config/load-agents-config.js';
import { migrateAgents } from './database/migrate-agents.js';

async function main(): Promise<void> {
  const config = loadAgentsConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateAgents(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({ ...agentsAppOptions(config), config: AgentsConfig });
}

void main();
