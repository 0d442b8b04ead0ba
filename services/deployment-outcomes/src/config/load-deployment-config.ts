import { ConfigValidationError, type Env, loadConfig } from '@ihf/platform';
import { DeploymentConfig } from './deployment.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadDeploymentConfigOrExit(what: string, env: Env = process.env): DeploymentConfig {
  try {
    return loadConfig(DeploymentConfig, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
