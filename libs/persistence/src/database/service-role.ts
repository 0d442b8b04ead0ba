import { Client } from 'pg';
import { assertSchemaName } from '../config/orm-options.js';
import { databaseName } from './database-url.js';
import { PostgresUnreachableError, quoteIdent } from './ensure-database.js';

/** One service's database identity: a login role that owns one schema. */
export interface ServiceRole {
  /** Login role, e.g. `ihf_feedback`. */
  readonly role: string;
  /** The schema it owns, e.g. `feedback`. */
  readonly schema: string;
  /** Its password; omitted: the role keeps the one it has (e.g. set by CloudNativePG). */
  readonly password?: string;
  /**
   * Extensions its migrations use, installed into its schema by the administrator (a role
   * without CREATE on the database cannot install one), e.g. pg_trgm for agent-proposals.
   */
  readonly extensions?: readonly string[];
}

/**
 * The roles and schemas of the IHF services (schema names as in ARCHITECTURE.md). Compose,
 * Kubernetes and the scale-out run provision these; `npm start` may keep using one superuser.
 */
export const SERVICE_ROLES: Readonly<Record<string, ServiceRole>> = {
  identity: { role: 'ihf_identity', schema: 'identity' },
  ingestion: { role: 'ihf_ingestion', schema: 'ingestion' },
  feedback: { role: 'ihf_feedback', schema: 'feedback' },
  governance: { role: 'ihf_governance', schema: 'governance' },
  'deployment-outcomes': { role: 'ihf_deployment', schema: 'deployment' },
  'agent-proposals': { role: 'ihf_agents', schema: 'agents', extensions: ['pg_trgm'] },
  notifications: { role: 'ihf_notifications', schema: 'notifications' },
};

/**
 * The statements that give `role` its own schema and nothing else in `database`:
 * - a login role without superuser, CREATEDB, CREATEROLE or replication;
 * - CONNECT on the database, and no CREATE on it (so no new schemas) nor on `public`;
 * - the schema owned by the role (created if missing; handed over if a superuser created it),
 *   with no rights for PUBLIC, and the role's `search_path` pointing at it.
 * Other services' schemas are owned by their roles and grant nothing to PUBLIC, so this role
 * can neither read nor write them. Idempotent; the password is passed separately.
 */
export function serviceRoleStatements(
  role: string,
  schema: string,
  database: string,
  extensions: readonly string[] = [],
): string[] {
  assertSchemaName(schema);
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(role)) throw new Error(`Invalid role name '${role}'`);
  for (const extension of extensions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(extension)) {
      throw new Error(`Invalid extension name '${extension}'`);
    }
  }
  const r = quoteIdent(role);
  const s = quoteIdent(schema);
  const d = quoteIdent(database);
  return [
    `DO $$ BEGIN
       IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = '${role}') THEN
         CREATE ROLE ${r} LOGIN;
       END IF;
     END $$`,
    `ALTER ROLE ${r} LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS`,
    // PostgreSQL before 15 let PUBLIC create in `public`; 15+ already does not.
    `REVOKE CREATE ON SCHEMA public FROM PUBLIC`,
    `REVOKE CREATE, TEMPORARY ON DATABASE ${d} FROM PUBLIC`,
    `GRANT CONNECT ON DATABASE ${d} TO ${r}`,
    `CREATE SCHEMA IF NOT EXISTS ${s} AUTHORIZATION ${r}`,
    `ALTER SCHEMA ${s} OWNER TO ${r}`,
    `REVOKE ALL ON SCHEMA ${s} FROM PUBLIC`,
    // Kept where it already is when some schema has it (the migrations find it there).
    ...extensions.map((e) => `CREATE EXTENSION IF NOT EXISTS ${quoteIdent(e)} WITH SCHEMA ${s}`),
    // Objects a superuser created before the role existed (an earlier `npm start` or migration
    // run) move to the role, so its migrations can alter them.
    `DO $$ DECLARE o record; BEGIN
       FOR o IN SELECT c.relname, c.relkind FROM pg_class c
                WHERE c.relnamespace = '${schema}'::regnamespace
                  AND c.relkind IN ('r', 'p', 'v', 'm', 'f')
       LOOP
         EXECUTE format('ALTER %s %I.%I OWNER TO %I',
           CASE o.relkind WHEN 'v' THEN 'VIEW' WHEN 'm' THEN 'MATERIALIZED VIEW'
                          WHEN 'f' THEN 'FOREIGN TABLE' ELSE 'TABLE' END,
           '${schema}', o.relname, '${role}');
       END LOOP;
       FOR o IN SELECT c.relname FROM pg_class c
                WHERE c.relnamespace = '${schema}'::regnamespace AND c.relkind = 'S'
                  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = c.oid AND dep.deptype IN ('a', 'i'))
       LOOP
         EXECUTE format('ALTER SEQUENCE %I.%I OWNER TO %I', '${schema}', o.relname, '${role}');
       END LOOP;
       FOR o IN SELECT p.oid::regprocedure AS sig FROM pg_proc p
                WHERE p.pronamespace = '${schema}'::regnamespace
                  -- an extension's functions stay its own
                  AND NOT EXISTS (SELECT 1 FROM pg_depend dep WHERE dep.objid = p.oid AND dep.deptype = 'e')
       LOOP
         EXECUTE format('ALTER ROUTINE %s OWNER TO %I', o.sig, '${role}');
       END LOOP;
       FOR o IN SELECT t.typname FROM pg_type t
                WHERE t.typnamespace = '${schema}'::regnamespace AND t.typtype IN ('e', 'd')
       LOOP
         EXECUTE format('ALTER TYPE %I.%I OWNER TO %I', '${schema}', o.typname, '${role}');
       END LOOP;
     END $$`,
    `ALTER ROLE ${r} IN DATABASE ${d} SET search_path = ${s}`,
  ];
}

/**
 * Creates or updates a service's role and schema (see {@link serviceRoleStatements}), as an
 * administrator (`adminUrl` names the IHF database). Serialised by an advisory lock so that
 * concurrent runs do not race on the role.
 */
export async function provisionServiceRole(adminUrl: string, spec: ServiceRole): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  try {
    await client.connect();
  } catch (error) {
    throw new PostgresUnreachableError(adminUrl, error);
  }
  try {
    await client.query('BEGIN');
    await client.query("SELECT pg_advisory_xact_lock(hashtextextended('ihf:roles', 0))");
    for (const sql of serviceRoleStatements(
      spec.role,
      spec.schema,
      databaseName(adminUrl),
      spec.extensions,
    )) {
      await client.query(sql);
    }
    if (spec.password !== undefined) {
      // Identifiers cannot be parameters; the password is sent as a literal the server escapes.
      const { rows } = await client.query<{ q: string }>('SELECT quote_literal($1) AS q', [
        spec.password,
      ]);
      await client.query(`ALTER ROLE ${quoteIdent(spec.role)} PASSWORD ${rows[0].q}`);
    }
    await client.query('COMMIT');
  } catch (error) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw error;
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** `databaseUrl` with the service role's credentials instead of the administrator's. */
export function serviceRoleUrl(databaseUrl: string, spec: ServiceRole): string {
  const url = new URL(databaseUrl);
  url.username = spec.role;
  url.password = spec.password ?? '';
  return url.toString();
}
