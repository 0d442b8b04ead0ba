import { ConfigValidationError, type Env, loadConfig } from '@ihf/platform';
import { AgentsConfig } from './agents.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadAgentsConfigOrExit(what: string, env: Env = process.env): AgentsConfig {
  try {
    return loadConfig(AgentsConfig, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
