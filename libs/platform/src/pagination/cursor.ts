// Keyset ("cursor") pagination, as every list API of the platform answers it:
// `?limit=&cursor=` in, `{ items, next_cursor }` out (see the wire conventions).
import { DomainError } from '@ihf/observability';

/** A `cursor` query parameter that this service did not issue (or that was tampered with). */
export class InvalidCursorError extends DomainError {
  constructor() {
    super({
      code: 'REQUEST.INVALID_CURSOR',
      status: 400,
      message: 'The cursor is invalid; pass the next_cursor of a previous page unchanged',
    });
  }
}

/**
 * Position after the last row of a page (keyset pagination): the values of the list's sort
 * key, then the row id. `rank` is set for lists sorted by a number first (the triage queue
 * sorts by severity rank, then age), absent otherwise.
 *
 * `at` is the sort timestamp at the column's full precision (microseconds), as
 * {@link cursorTimeSql} selects it: a `Date` has milliseconds only, and rows written in one
 * transaction share a `now()` that differs from its millisecond truncation, so a cursor in
 * milliseconds would sort before all of them and repeat the page.
 */
export interface CursorPosition {
  readonly rank?: number;
  /** ISO 8601 UTC with up to 6 fractional digits, e.g. `2026-11-27T21:00:00.123456Z`. */
  readonly at: string;
  readonly id: string;
}

/**
 * SQL of a `timestamptz` column as the `at` of a {@link CursorPosition}: ISO 8601 UTC text with
 * microseconds. Select it beside the row (`… as cursor_at`) and compare the cursor in SQL as
 * `(column, id) > (?::timestamptz, ?::uuid)`, so that both sides have the same precision.
 */
export function cursorTimeSql(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')`;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const TIME_RE = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d{1,6})?Z$/;

/** Opaque cursor: base64url of `[iso time, id]` or `[rank, iso time, id]`. */
export function encodeCursor(position: CursorPosition): string {
  const parts: (string | number)[] = [position.at, position.id];
  if (position.rank !== undefined) parts.unshift(position.rank);
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * Reads a cursor of {@link encodeCursor}; undefined for none. `ranked` says which shape the
 * list issues, so that a cursor of another list is refused, as is one whose values the
 * columns cannot hold (a time outside years 1-9999, a day that does not exist, a rank out of
 * range): a database error on them would be a 500.
 * @throws InvalidCursorError
 */
export function decodeCursor(
  cursor: string | undefined,
  ranked = false,
): CursorPosition | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (!Array.isArray(parsed) || parsed.length !== (ranked ? 3 : 2)) throw new InvalidCursorError();
  const parts = parsed as unknown[];
  const [rank, at, id] = ranked ? parts : [undefined, ...parts];
  if (ranked && (typeof rank !== 'number' || !Number.isInteger(rank) || rank < 0 || rank > 100)) {
    throw new InvalidCursorError();
  }
  if (typeof at !== 'string' || !isCursorTime(at)) throw new InvalidCursorError();
  if (typeof id !== 'string' || !UUID_RE.test(id)) throw new InvalidCursorError();
  return {
    ...(ranked ? { rank: rank as number } : {}),
    at,
    id: id.toLowerCase(),
  };
}

/** A UTC time of years 1-9999 whose fields name a real instant (no 30 February, no 24:00). */
function isCursorTime(text: string): boolean {
  const m = TIME_RE.exec(text);
  if (!m) return false;
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (year < 1) return false;
  const date = new Date(0);
  date.setUTCFullYear(year, month - 1, day);
  date.setUTCHours(hour, minute, second, 0);
  return (
    date.getUTCFullYear() === year &&
    date.getUTCMonth() === month - 1 &&
    date.getUTCDate() === day &&
    date.getUTCHours() === hour &&
    date.getUTCMinutes() === minute &&
    date.getUTCSeconds() === second
  );
}

/** A page of a list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/** Builds a page from rows fetched with `limit + 1` (the extra row says there is more). */
export function toPage<R, T>(
  rows: readonly R[],
  limit: number,
  position: (row: R) => CursorPosition,
  map: (row: R) => T,
): Page<T> {
  const items = rows.slice(0, limit);
  const last = items.at(-1);
  return {
    items: items.map(map),
    next_cursor: rows.length > limit && last !== undefined ? encodeCursor(position(last)) : null,
  };
}
