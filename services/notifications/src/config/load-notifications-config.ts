import { ConfigValidationError, type Env, loadConfig } from '@ihf/platform';
import { NotificationsConfig } from './notifications.config.js';

/** Loads the config for a process entry point; on an invalid config prints why and exits 1. */
export function loadNotificationsConfigOrExit(
  what: string,
  env: Env = process.env,
): NotificationsConfig {
  try {
    return loadConfig(NotificationsConfig, env);
  } catch (err) {
    if (err instanceof ConfigValidationError) {
      process.stderr.write(`${what} cannot start. ${err.message}\n`);
      process.exit(1);
    }
    throw err;
  }
}
