import { ConfigValidationError, type Env, loadConfig } from '@ihf/platform';
import { IdentityConfig } from './identity.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadIdentityConfigOrExit(what: string, env: Env = process.env): IdentityConfig {
  try {
    return loadConfig(IdentityConfig, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
