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
export async function migrateSchema(
  settings: ServiceOrmSettings,
  options: {
    /** How long to wait for another replica's migration before giving up (default 10 min). */
    lockTimeoutMs?: number;
    /** Called every 10 s while waiting, with the time waited so far (for a log line). */
    onWait?: (waitedMs: number) => void;
  } = {},
): Promise<MigrationRunResult> {
  const lockClient = new Client({ connectionString: settings.databaseUrl });
  try {
    await lockClient.connect();
  } catch (error) {
    throw new PostgresUnreachableError(settings.databaseUrl, error);
  }
  const started = Date.now();
  try {
    // Polled rather than blocking, so that a replica stuck behind another's migration says so
    // and gives up after `lockTimeoutMs` instead of hanging silently.
    const deadline = started + (options.lockTimeoutMs ?? 10 * 60_000);
    let lastNotice = started;
    for (;;) {
      const { rows } = await lockClient.query<{ locked: boolean }>(
        'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
        [migrationLockKey(settings.schema)],
      );
      if (rows[0]?.locked) break;
      if (Date.now() > deadline) {
        throw new Error(
          `Gave up waiting ${Math.round((Date.now() - started) / 1000)} s for another process's migration of schema '${settings.schema}'`,
        );
      }
      if (Date.now() - lastNotice >= 10_000) {
        lastNotice = Date.now();
        options.onWait?.(Date.now() - started);
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
    const waitedForLockMs = Date.now() - started;
    // A service role owns its schema but may not create schemas (provisionServiceRole), and
    // Postgres checks that right even for IF NOT EXISTS: create only when missing.
    const { rowCount } = await lockClient.query('SELECT 1 FROM pg_namespace WHERE nspname = $1', [
      settings.schema,
    ]);
    if (!rowCount) {
      await lockClient.query(`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(settings.schema)}`);
    }
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
