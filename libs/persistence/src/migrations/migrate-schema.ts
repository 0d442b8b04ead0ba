import { MikroORM } from '@mikro-orm/core';
import { Client } from 'pg';
import { createOrmOptions, type ServiceOrmSettings } from '../config/orm-options.js';
import { PostgresUnreachableError, quoteIdent } from '../database/ensure-database.js';

/** Outcome of a migration run. */
export interface MigrationRunResult {
  readonly schema: string;
  /** Names of the migrations this run applied (empty when the schema was up to date). */
  readonly applied: string[];
  /** Milliseconds spent waiting for another replica's run to finish. */
  readonly waitedForLockMs: number;
}

/**
 * Brings the service's schema up to date. Several replicas may start at once: the run holds a
 * Postgres advisory lock keyed by the schema name for its whole duration, so one replica
 * migrates while the others wait and then find nothing left to do. The schema itself and the
 * migrations table inside it are created under the same lock.
 */
export async function migrateSchema(settings: ServiceOrmSettings): Promise<MigrationRunResult> {
  const lockClient = new Client({ connectionString: settings.databaseUrl });
  try {
    await lockClient.connect();
  } catch (error) {
    throw new PostgresUnreachableError(settings.databaseUrl, error);
  }
  const started = Date.now();
  try {
    await lockClient.query('SELECT pg_advisory_lock(hashtextextended($1, 0))', [
      migrationLockKey(settings.schema),
    ]);
    const waitedForLockMs = Date.now() - started;
    await lockClient.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(settings.schema)}`);
    const orm = await MikroORM.init({
      ...createOrmOptions({ ...settings, poolMax: 2 }),
      // Migrations are plain SQL; a schema whose entities are not loaded here is fine.
      discovery: { warnWhenNoEntities: false },
    });
    try {
      const applied = await orm.migrator.up();
      return { schema: settings.schema, applied: applied.map((m) => m.name), waitedForLockMs };
    } finally {
      await orm.close(true);
    }
  } finally {
    // Ending the session releases the advisory lock even if the unlock below is never reached.
    await lockClient.query('SELECT pg_advisory_unlock_all()').catch(() => undefined);
    await lockClient.end().catch(() => undefined);
  }
}

/** The advisory lock key text of a schema's migrations (hashed to a bigint by Postgres). */
export function migrationLockKey(schema: string): string {
  return `ihf:migrate:${schema}`;
}
