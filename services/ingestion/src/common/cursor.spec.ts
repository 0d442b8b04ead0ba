import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './cursor.js';

describe('cursor', () => {
  const position = {
    at: new Date('2026-11-27T10:00:00.123Z'),
    id: '7b0f4b6e-4c1e-4c57-9a0e-1f1d8a6e2f10',
  };

  it('round-trips a position', () => {
    expect(decodeCursor(encodeCursor(position))).toEqual(position);
  });

  it('treats no cursor as the first page', () => {
    expect(decodeCursor(undefined)).toBeUndefined();
    expect(decodeCursor('')).toBeUndefined();
  });

  it.each([
    ['not base64url', 'a+b/c'],
    ['not JSON', Buffer.from('nope').toString('base64url')],
    ['wrong shape', Buffer.from('{"a":1}').toString('base64url')],
    ['bad id', Buffer.from('["2026-11-27T10:00:00Z","x"]').toString('base64url')],
    [
      'bad time',
      Buffer.from('["never","7b0f4b6e-4c1e-4c57-9a0e-1f1d8a6e2f10"]').toString('base64url'),
    ],
    ['too long', 'a'.repeat(500)],
  ])('rejects a cursor that is %s', (_name, cursor) => {
    expect(() => decodeCursor(cursor)).toThrow(InvalidCursorError);
  });

  it('pages rows fetched with limit + 1', () => {
    const rows = [1, 2, 3].map((n) => ({ n, at: new Date(n * 1000), id: position.id }));
    const page = toPage(
      rows,
      2,
      (r) => r,
      (r) => r.n,
    );
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.next_cursor!)).toEqual({ at: new Date(2000), id: position.id });
    expect(
      toPage(
        rows,
        3,
        (r) => r,
        (r) => r.n,
      ).next_cursor,
    ).toBeNull();
  });
});
