/** The default DATABASE_URL used by every service, script and document. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/ihf';

/** The same server with another database name (e.g. `postgres` for admin work). */
export function withDatabase(databaseUrl: string, database: string): string {
  const url = new URL(databaseUrl);
  url.pathname = `/${encodeURIComponent(database)}`;
  return url.toString();
}

/** The database name of a URL. */
export function databaseName(databaseUrl: string): string {
  const name = decodeURIComponent(new URL(databaseUrl).pathname.replace(/^\//, ''));
  if (!name) throw new Error(`DATABASE_URL '${redactUrl(databaseUrl)}' names no database`);
  return name;
}

/** The URL without its password, for messages and logs. */
export function redactUrl(databaseUrl: string): string {
  try {
    const url = new URL(databaseUrl);
    if (url.password) url.password = '***';
    return url.toString();
  } catch {
    return '<unparseable url>';
  }
}
