export * from './config/orm-options.js';
export * from './database/database-url.js';
export * from './database/ensure-database.js';
export * from './database/service-role.js';
export * from './migrations/migrate-schema.js';
export * from './nest/persistence.module.js';
export * from './sql/raw-sql.js';
export * from './database/database-tls.js';
