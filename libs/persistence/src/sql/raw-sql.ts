import { type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';

/**
 * Runs SQL on `em` (inside its transaction when it has one) with `?` placeholders and returns
 * the rows. For repositories that write their SQL by hand: queries shaped for their indexes,
 * writes that need row locks and `on conflict` clauses.
 */
export async function query<T>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  return (em as unknown as SqlEntityManager).execute<T[]>(sql, params);
}

/** The first row of {@link query}, or undefined. */
export async function queryOne<T>(
  em: EntityManager,
  sql: string,
  params: unknown[] = [],
): Promise<T | undefined> {
  const rows = await query<T>(em, sql, params);
  return rows[0];
}

/**
 * A Postgres array literal for `?::uuid[]` / `?::text[]` parameters. Only for values checked
 * to be UUIDs or known enum values (they are not quoted).
 */
export function pgArray(values: readonly string[]): string {
  return `{${values.join(',')}}`;
}

/** ISO 8601 of a timestamp column (pg returns Date; be tolerant of strings). */
export function iso(value: Date | string | null): string | null {
  if (value === null) return null;
  return (value instanceof Date ? value : new Date(value)).toISOString();
}

/** Same as {@link iso} for a column that is never null. */
export function isoRequired(value: Date | string): string {
  return (value instanceof Date ? value : new Date(value)).toISOString();
}
