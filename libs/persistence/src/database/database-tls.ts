import { parse } from 'pg-connection-string';
import { type ClientConfig } from 'pg';

/**
 * The TLS settings a DATABASE_URL asks for, read the way `pg` reads them for the connections it
 * opens from the URL itself (migration lock, LISTEN sessions, admin): `sslmode` (`disable`,
 * `no-verify`, `require`, `verify-ca`, `verify-full`), `sslrootcert` (CA file), `sslcert` and
 * `sslkey` (client certificate). MikroORM's pool takes host, user and database from the URL but
 * not these, so `createOrmOptions` hands them over explicitly. Undefined: the URL says nothing
 * (a plain connection, as in development).
 */
export function databaseTls(databaseUrl: string): ClientConfig['ssl'] | undefined {
  const { ssl } = parse(databaseUrl);
  return ssl === undefined ? undefined : (ssl as ClientConfig['ssl']);
}
