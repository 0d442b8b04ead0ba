import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { IdentityConfig } from './identity.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadIdentityConfigOrExit(what: string): IdentityConfig {
  try {
    return loadConfig(IdentityConfig);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
