import { Migration } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  ensureDatabase,
  migrateSchema,
  migrationLockKey,
  PostgresUnreachableError,
  type ServiceOrmSettings,
} from '@ihf/persistence';

class CreateThings extends Migration {
  override up(): void {
    this.addSql('create table things (id uuid primary key, name text not null)');
  }
}
class SlowlyAddColumn extends Migration {
  override async up(): Promise<void> {
    // Long enough that concurrent runners overlap.
    await this.execute('select pg_sleep(0.3)');
    this.addSql('alter table things add column note text');
  }
}
class Broken extends Migration {
  override up(): void {
    this.addSql('create table things_two (id uuid primary key)');
    this.addSql('select * from table_that_does_not_exist');
  }
}

describe('migrateSchema', () => {
  let env: TestEnvironment;
  let settings: ServiceOrmSettings;

  beforeAll(async () => {
    env = await createTestEnvironment();
    settings = {
      schema: 'things_svc',
      databaseUrl: env.databaseUrl,
      entities: [],
      migrations: [
        { name: 'Migration20261127000001_create_things', class: CreateThings },
        { name: 'Migration20261127000002_add_note', class: SlowlyAddColumn },
      ],
    };
  });
  afterAll(() => env.teardown());

  async function query<T>(sql: string): Promise<T[]> {
    const c = new Client({ connectionString: env.databaseUrl });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  }

  it('lets several replicas start at once: one migrates, the others wait and find nothing to do', async () => {
    const results = await Promise.all([1, 2, 3, 4].map(() => migrateSchema(settings)));
    const applied = results.map((r) => r.applied.length).sort();
    expect(applied).toEqual([0, 0, 0, 2]);
    const rows = await query<{ name: string }>(
      'select name from things_svc.mikro_orm_migrations order by id',
    );
    expect(rows.map((r) => r.name)).toEqual([
      'Migration20261127000001_create_things',
      'Migration20261127000002_add_note',
    ]);
    const columns = await query<{ column_name: string }>(
      "select column_name from information_schema.columns where table_schema = 'things_svc' and table_name = 'things' order by column_name",
    );
    expect(columns.map((c) => c.column_name)).toEqual(['id', 'name', 'note']);
    // The bookkeeping table lives inside the service's schema, not in public.
    const publicTables = await query(
      "select 1 from information_schema.tables where table_schema = 'public'",
    );
    expect(publicTables).toHaveLength(0);
  });

  it('applies a failing batch all-or-nothing', async () => {
    const failing = {
      ...settings,
      migrations: [
        ...settings.migrations,
        { name: 'Migration20261127000003_broken', class: Broken },
      ],
    };
    await expect(migrateSchema(failing)).rejects.toThrow(/table_that_does_not_exist/);
    const rows = await query(
      "select 1 from information_schema.tables where table_schema = 'things_svc' and table_name = 'things_two'",
    );
    expect(rows).toHaveLength(0);
    const names = await query<{ name: string }>('select name from things_svc.mikro_orm_migrations');
    expect(names).toHaveLength(2);
  });

  it('creates a missing database, and says what to start when Postgres is unreachable', async () => {
    const url = new URL(env.databaseUrl);
    url.pathname = `${url.pathname}_extra`;
    // Several services starting at once on a new database (as `npm start` does).
    await Promise.all([1, 2, 3, 4].map(() => ensureDatabase(url.toString())));
    await ensureDatabase(url.toString()); // idempotent
    const admin = new Client({ connectionString: env.databaseUrl });
    await admin.connect();
    try {
      await admin.query(`drop database "${url.pathname.slice(1)}" with (force)`);
    } finally {
      await admin.end();
    }
    await expect(ensureDatabase('postgres://postgres@127.0.0.1:1/x')).rejects.toThrow(
      PostgresUnreachableError,
    );
    await expect(
      migrateSchema({ ...settings, databaseUrl: 'postgres://postgres@127.0.0.1:1/x' }),
    ).rejects.toThrow(/not reachable.*pg_ctlcluster/s);
  });

  it('gives up, with a clear error, when another process holds the migration lock too long', async () => {
    const holder = new Client({ connectionString: env.databaseUrl });
    await holder.connect();
    try {
      await holder.query('select pg_advisory_lock(hashtextextended($1, 0))', [
        migrationLockKey(settings.schema),
      ]);
      await expect(migrateSchema(settings, { lockTimeoutMs: 500 })).rejects.toThrow(
        /Gave up waiting .* migration of schema 'things_svc'/,
      );
    } finally {
      await holder.end();
    }
    // Once released, the next run proceeds.
    expect((await migrateSchema(settings)).applied).toEqual([]);
  });
});
