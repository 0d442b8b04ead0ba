/**
 * The identity service's entry for tools that run it in-process beside other services
 * (tests/observability). Services never import it (they talk over NATS); the service itself
 * runs from `dist/main.js` (the package's `main`).
 */
export { AppModule } from './app.module.js';
export { IdentityConfig } from './config/identity.config.js';
export { migrateIdentity } from './database/migrate-identity.js';
export { IDENTITY_OPENAPI } from './openapi.js';
