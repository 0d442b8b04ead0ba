import { raw } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { type CursorPosition, cursorTimeSql } from '@ihf/platform';

/**
 * Filter (for `em.find`) of the rows after `after` in `(created_at, id)` order, compared in
 * SQL at the column's full precision: the ORM's `Date` values have milliseconds only.
 */
export function createdAfter(after: CursorPosition): Record<symbol, never[]> {
  return {
    [raw(
      (alias) => `(${alias}.created_at, ${alias}.id) > (?::timestamptz, ?::uuid)`,
      [after.at, after.id],
    )]: [],
  };
}

/** The full-precision `created_at` of `row` of `table`, for the cursor of the next page. */
export async function createdAtForCursor(
  em: EntityManager,
  table: string,
  row: { readonly id: string; readonly createdAt: Date },
): Promise<string> {
  const rows = await em
    .getConnection()
    .execute<{ at: string }[]>(
      `select ${cursorTimeSql('created_at')} as at from ${table} where id = ?`,
      [row.id],
    );
  // A row deleted since it was read: its millisecond time still makes a valid cursor.
  return rows[0]?.at ?? row.createdAt.toISOString();
}
