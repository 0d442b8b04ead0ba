import { randomBytes } from 'node:crypto';
import { Migration } from '@mikro-orm/migrations';
import { Client } from 'pg';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  migrateSchema,
  provisionServiceRole,
  serviceRoleStatements,
  serviceRoleUrl,
  withDatabase,
  type ServiceRole,
} from '@ihf/persistence';

class CreateOrders extends Migration {
  override up(): void {
    this.addSql('create table orders (id serial primary key, note text not null)');
  }
}
class CreateInvoices extends Migration {
  override up(): void {
    this.addSql('create table invoices (id serial primary key, total int not null)');
  }
}

/** Roles are server-wide: unique names per run, dropped after the test database. */
const suffix = randomBytes(4).toString('hex');
const shop: ServiceRole = { role: `ihf_t_shop_${suffix}`, schema: 'shop', password: 'shop-pw' };
const billing: ServiceRole = {
  role: `ihf_t_billing_${suffix}`,
  schema: 'billing',
  password: 'billing-pw',
};

describe('least privilege: one role per service, owning its schema and nothing else', () => {
  let env: TestEnvironment;

  async function as<T>(url: string, sql: string): Promise<T[]> {
    const c = new Client({ connectionString: url });
    await c.connect();
    try {
      return (await c.query(sql)).rows as T[];
    } finally {
      await c.end();
    }
  }
  const shopUrl = () => serviceRoleUrl(env.databaseUrl, shop);
  const billingUrl = () => serviceRoleUrl(env.databaseUrl, billing);

  beforeAll(async () => {
    env = await createTestEnvironment();
    // Billing's schema exists before its role, created by a superuser (an earlier `npm start`):
    // provisioning hands it and its tables over.
    await as(env.databaseUrl, 'create schema billing; create table billing.legacy (id int)');
    await Promise.all([
      provisionServiceRole(env.databaseUrl, shop),
      provisionServiceRole(env.databaseUrl, billing),
    ]);
    // Each service migrates its own schema as its own role.
    for (const [spec, url, cls] of [
      [shop, shopUrl(), CreateOrders],
      [billing, billingUrl(), CreateInvoices],
    ] as const) {
      await migrateSchema({
        schema: spec.schema,
        databaseUrl: url,
        entities: [],
        migrations: [{ name: `Migration20261208170001_${spec.schema}`, class: cls }],
      });
    }
  }, 60_000);

  afterAll(async () => {
    await env.teardown();
    const admin = withDatabase(env.databaseUrl, 'postgres');
    await as(admin, `drop role if exists "${shop.role}"`);
    await as(admin, `drop role if exists "${billing.role}"`);
    await as(admin, `drop role if exists "ihf_t_trgm_${suffix}"`);
  });

  it("works in its own schema through its search_path (the migration's tables are its own)", async () => {
    await as(shopUrl(), "insert into orders (note) values ('ok')");
    expect(await as(shopUrl(), 'select note from orders')).toEqual([{ note: 'ok' }]);
    const [owner] = await as<{ tableowner: string }>(
      env.databaseUrl,
      "select tableowner from pg_tables where schemaname = 'billing' and tablename = 'legacy'",
    );
    expect(owner.tableowner).toBe(billing.role);
    await as(billingUrl(), 'alter table legacy add column note text');
  });

  it.each([
    ['read', 'select * from billing.invoices'],
    ['write', 'insert into billing.invoices (total) values (1)'],
    ['change', 'update billing.invoices set total = 2'],
    ['delete from', 'delete from billing.invoices'],
    ['alter', 'alter table billing.invoices add column x int'],
    ['drop', 'drop table billing.invoices'],
    ['read the migrations of', 'select * from billing.mikro_orm_migrations'],
    ['create a table in', 'create table billing.sneaky (id int)'],
  ])("cannot %s another service's schema", async (_what, sql) => {
    await expect(as(shopUrl(), sql)).rejects.toMatchObject({ code: '42501' });
  });

  it('cannot create schemas, tables in public, or grant itself more', async () => {
    await expect(as(shopUrl(), 'create schema extra')).rejects.toMatchObject({ code: '42501' });
    await expect(as(shopUrl(), 'create table public.t (id int)')).rejects.toMatchObject({
      code: '42501',
    });
    await expect(
      as(shopUrl(), `grant usage on schema billing to "${shop.role}"`),
    ).rejects.toMatchObject({ code: '42501' });
    await expect(as(shopUrl(), `alter role "${shop.role}" superuser`)).rejects.toMatchObject({
      code: '42501',
    });
  });

  it('gets the extensions its migrations need installed by the administrator, and can use them', async () => {
    const trgm: ServiceRole = {
      role: `ihf_t_trgm_${suffix}`,
      schema: 'trgm_user',
      password: 'trgm-pw',
      extensions: ['pg_trgm'],
    };
    await provisionServiceRole(env.databaseUrl, trgm);
    await provisionServiceRole(env.databaseUrl, trgm); // idempotent
    const url = serviceRoleUrl(env.databaseUrl, trgm);
    const [{ schema }] = await as<{ schema: string }>(
      env.databaseUrl,
      `select n.nspname as schema from pg_extension e join pg_namespace n on n.oid = e.extnamespace
       where e.extname = 'pg_trgm'`,
    );
    expect(schema).toBe('trgm_user');
    const [{ s }] = await as<{ s: number }>(url, "select similarity('checkout', 'check out') as s");
    expect(s).toBeGreaterThan(0.3);
    // It still could not have installed one itself.
    await expect(as(url, 'create extension pgcrypto')).rejects.toMatchObject({ code: '42501' });
    expect(() => serviceRoleStatements('ok', 'shop', 'ihf', ['pg_trgm; drop'])).toThrow(
      /extension/,
    );
  });

  it('is idempotent and refuses names that are not plain identifiers', async () => {
    await provisionServiceRole(env.databaseUrl, shop);
    expect(await as(shopUrl(), 'select count(*)::int as n from orders')).toEqual([{ n: 1 }]);
    expect(() => serviceRoleStatements('bad"role', 'shop', 'ihf')).toThrow(/role/);
    expect(() => serviceRoleStatements('ok', 'Bad;schema', 'ihf')).toThrow(/schema/);
  });
});
