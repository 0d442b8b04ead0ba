import { DomainError } from '@ihf/observability';

/** A `cursor` query parameter that this service did not issue (or that was tampered with). */
export class InvalidCursorError extends DomainError {
  constructor() {
    super({
      code: 'INGESTION.INVALID_CURSOR',
      status: 400,
      message: 'The cursor is invalid; pass the next_cursor of a previous page unchanged',
    });
  }
}

/** Position after the last row of a page: its sort time and id (keyset pagination). */
export interface CursorPosition {
  readonly at: Date;
  readonly id: string;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/** Opaque cursor: base64url of `[iso time, id]`. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.at.toISOString(), position.id]), 'utf8').toString(
    'base64url',
  );
}

/** Reads a cursor of {@link encodeCursor}; undefined for none. @throws InvalidCursorError */
export function decodeCursor(cursor: string | undefined): CursorPosition | undefined {
  if (cursor === undefined || cursor === '') return undefined;
  if (cursor.length > 200 || !/^[A-Za-z0-9_-]+$/.test(cursor)) throw new InvalidCursorError();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw new InvalidCursorError();
  }
  if (
    !Array.isArray(parsed) ||
    parsed.length !== 2 ||
    typeof parsed[0] !== 'string' ||
    typeof parsed[1] !== 'string' ||
    !UUID_RE.test(parsed[1])
  ) {
    throw new InvalidCursorError();
  }
  const at = new Date(parsed[0]);
  if (Number.isNaN(at.getTime())) throw new InvalidCursorError();
  return { at, id: parsed[1].toLowerCase() };
}

/** A page of a list: the items and the cursor of the next page (null at the end). */
export interface Page<T> {
  readonly items: T[];
  readonly next_cursor: string | null;
}

/**
 * Builds a page from rows fetched with `limit + 1` (the extra row only says whether there is
 * a next page).
 */
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
