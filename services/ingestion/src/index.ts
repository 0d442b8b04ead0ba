/**
 * The ingestion service's package entry (`@ihf/ingestion-service`), for tools that measure the
 * service (bench/ingestion's B3 baseline replaces the writer's `write` before the service
 * starts). Services never import it (they talk over NATS); the service itself runs from
 * `dist/main.js` (exported as `@ihf/ingestion-service/main`).
 */
export { GroupCommitWriter } from './reporting/group-commit.writer.js';
// For tests that run ingestion in-process beside another service (tests/observability).
export { ingestionAppOptions } from './bootstrap.js';
export { IngestionConfig } from './config/ingestion.config.js';
export { ingestionOrmSettings } from './database/ingestion-orm.settings.js';
