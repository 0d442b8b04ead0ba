/**
 * The governance service's entry for tools that run it in-process beside other services
 * (tests/observability). Services never import it (they talk over NATS); the service itself
 * runs from `dist/main.js` (the package's `main`, which bench/governance starts).
 */
export { governanceAppOptions } from './bootstrap.js';
export { GovernanceConfig } from './config/governance.config.js';
export { migrateGovernance } from './database/migrate-governance.js';
