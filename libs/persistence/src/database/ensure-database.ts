import { Client } from 'pg';
import { databaseName, redactUrl, withDatabase } from './database-url.js';

/**
 * Creates the database named in `databaseUrl` when it does not exist (development and tests;
 * production databases are provisioned by the platform team). Connects to the server's
 * `postgres` database to do so.
 */
export async function ensureDatabase(databaseUrl: string): Promise<void> {
  const name = databaseName(databaseUrl);
  const admin = new Client({ connectionString: withDatabase(databaseUrl, 'postgres') });
  try {
    await admin.connect();
  } catch (error) {
    throw new PostgresUnreachableError(databaseUrl, error);
  }
  try {
    const found = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [name]);
    if (found.rowCount === 0) {
      try {
        await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
      } catch (error) {
        // Another process created it between our check and our create: 42P04 when it had
        // committed, 23505 (pg_database's unique index) when both creates raced.
        const code = (error as { code?: string }).code;
        if (code !== '42P04' && code !== '23505') throw error;
      }
    }
  } finally {
    await admin.end();
  }
}

/** Thrown when Postgres cannot be reached; its message says what to start. */
export class PostgresUnreachableError extends Error {
  constructor(databaseUrl: string, cause: unknown) {
    super(
      `PostgreSQL is not reachable at ${redactUrl(databaseUrl)} (${(cause as Error)?.message ?? String(cause)}). ` +
        'Start it (Debian: pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start) or set DATABASE_URL.',
      { cause },
    );
    this.name = 'PostgresUnreachableError';
  }
}

/** Quotes an SQL identifier. */
export function quoteIdent(name: string): string {
  return `"${name.replace(/"/g, '""')}"`;
}
