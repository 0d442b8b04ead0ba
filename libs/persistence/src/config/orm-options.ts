import { type Options } from '@mikro-orm/core';
import { Migrator } from '@mikro-orm/migrations';
import { type MigrationObject } from '@mikro-orm/core';
import { PostgreSqlDriver } from '@mikro-orm/postgresql';
import { databaseTls } from '../database/database-tls.js';

/** What a service says about its own slice of the database. */
export interface ServiceOrmSettings {
  /** Postgres schema the service owns, e.g. `identity`. All its tables live there. */
  readonly schema: string;
  /** Postgres connection URL (DATABASE_URL). */
  readonly databaseUrl: string;
  /** The service's entities (MikroORM `defineEntity` schemas or classes). */
  readonly entities: NonNullable<Partial<Options>['entities']>;
  /**
   * The service's migrations, in order. Listed explicitly (not discovered by glob) so that the
   * compiled service, `npm run migrate` and the tests all run exactly the same list.
   */
  readonly migrations: readonly MigrationObject[];
  /** Folder where `mikro-orm migration:create` writes new migration files (the service's src/migrations). */
  readonly migrationsFolder?: string;
  /** Largest number of pooled connections for this process. */
  readonly poolMax?: number;
  /** Log SQL (development only). */
  readonly debug?: boolean;
}

/** Name of the migrations bookkeeping table, kept inside the service's own schema. */
export const MIGRATIONS_TABLE = 'mikro_orm_migrations';

/**
 * MikroORM options for one service: PostgreSQL, the service's schema as the default schema,
 * its own migrations and migrations table inside that schema. No entity discovery by folder
 * scanning and no schema generation at run time: the migrations are the only way the schema
 * changes.
 */
export function createOrmOptions(settings: ServiceOrmSettings): Partial<Options> {
  assertSchemaName(settings.schema);
  // TLS from the URL's sslmode/sslrootcert/sslcert/sslkey (MikroORM would drop them).
  const ssl = databaseTls(settings.databaseUrl);
  return {
    driver: PostgreSqlDriver,
    clientUrl: settings.databaseUrl,
    ...(ssl === undefined ? {} : { driverOptions: { ssl } }),
    schema: settings.schema,
    entities: settings.entities,
    extensions: [Migrator],
    pool: { min: 0, max: settings.poolMax ?? 10 },
    debug: settings.debug ?? false,
    // Entities must be explicit; an accidental `em.flush()` of an unknown class fails loudly.
    validateRequired: true,
    forceUtcTimezone: true,
    migrations: {
      tableName: MIGRATIONS_TABLE,
      schema: settings.schema,
      migrationsList: [...settings.migrations],
      path: settings.migrationsFolder,
      pathTs: settings.migrationsFolder,
      transactional: true,
      allOrNothing: true,
      snapshot: false,
      emit: 'ts',
      silent: true,
    },
  };
}

/** Schema names go into SQL identifiers; allow only plain lower-case names. */
export function assertSchemaName(schema: string): void {
  if (!/^[a-z][a-z0-9_]{0,62}$/.test(schema)) {
    throw new Error(`Invalid schema name '${schema}': use lower-case letters, digits and _`);
  }
}
