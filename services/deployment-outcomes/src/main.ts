import './tracing.js';
import 'reflect-metadata';
import { createLogger } from '@ihf/observability';
import { bootstrapService } from '@ihf/platform';
import { SERVICE_NAME } from './app.module.js';
import { deploymentAppOptions } from './bootstrap.js';
import { DeploymentConfig } from './config/deployment.config.js';
import { loadDeploymentConfigOrExit } from './config/load-deployment-config.js';
import { migrateDeployment } from './database/migrate-deployment.js';

async function main(): Promise<void> {
  const config = loadDeploymentConfigOrExit(SERVICE_NAME);
  const logger = createLogger({ service: SERVICE_NAME, level: config.LOG_LEVEL });
  try {
    const result = await migrateDeployment(config.DATABASE_URL);
    logger.info(
      { applied: result.applied, waited_for_lock_ms: result.waitedForLockMs },
      result.applied.length ? 'Schema migrated' : 'Schema up to date',
    );
  } catch (err) {
    logger.fatal({ err }, `${SERVICE_NAME} failed to migrate its schema`);
    process.exit(1);
  }
  await bootstrapService({ ...deploymentAppOptions(config), config: DeploymentConfig });
}

void main();
