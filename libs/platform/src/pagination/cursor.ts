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
 */
export interface CursorPosition {
  readonly rank?: number;
  readonly at: Date;
  readonly id: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque cursor: base64url of `[iso time, id]` or `[rank, iso time, id]`. */
export function encodeCursor(position: CursorPosition): string {
  const parts: (string | number)[] = [position.at.toISOString(), position.id];
  if (position.rank !== undefined) parts.unshift(position.rank);
  return Buffer.from(JSON.stringify(parts), 'utf8').toString('base64url');
}

/**
 * Reads a cursor of {@link encodeCursor}; undefined for none. `ranked` says which shape the
 * list issues, so that a cursor of another list is refused.
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
  if (typeof at !== 'string' || typeof id !== 'string' || !UUID_RE.test(id)) {
    throw new InvalidCursorError();
  }
  const time = new Date(at);
  if (Number.isNaN(time.getTime())) throw new InvalidCursorError();
  return {
    ...(ranked ? { rank: rank as number } : {}),
    at: time,
    id: id.toLowerCase(),
  };
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
