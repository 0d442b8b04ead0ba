import { ConfigValidationError, type Env, loadConfig } from '@ihf/platform';
import { GovernanceConfig } from './governance.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadGovernanceConfigOrExit(what: string, env: Env = process.env): GovernanceConfig {
  try {
    return loadConfig(GovernanceConfig, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
