import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './cursor.js';

const id = '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d';
const at = new Date('2026-11-27T21:00:00.123Z');

describe('cursor', () => {
  it('round-trips time and id, and rank for ranked lists', () => {
    expect(decodeCursor(encodeCursor({ at, id }), false)).toEqual({ at, id });
    expect(decodeCursor(encodeCursor({ rank: 4, at, id: id.toUpperCase() }), true)).toEqual({
      rank: 4,
      at,
      id,
    });
  });

  it('treats a missing or empty cursor as the first page', () => {
    expect(decodeCursor(undefined, true)).toBeUndefined();
    expect(decodeCursor('', false)).toBeUndefined();
  });

  it('refuses cursors it did not issue, or of the other shape', () => {
    const ranked = encodeCursor({ rank: 2, at, id });
    const plain = encodeCursor({ at, id });
    const forged = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');
    for (const [cursor, isRanked] of [
      [ranked, false],
      [plain, true],
      ['not base64!', false],
      ['x'.repeat(201), false],
      [forged([at.toISOString(), 'not-a-uuid']), false],
      [forged(['yesterday', id]), false],
      [forged([1.5, at.toISOString(), id]), true],
      [forged(['4', at.toISOString(), id]), true],
      [forged({ at, id }), false],
      [Buffer.from('{').toString('base64url'), false],
    ] as const) {
      expect(() => decodeCursor(cursor, isRanked)).toThrow(InvalidCursorError);
    }
  });

  it('builds a page from limit + 1 rows', () => {
    const rows = [1, 2, 3].map((n) => ({ n, at, id }));
    const page = toPage(
      rows,
      2,
      (r) => ({ at: r.at, id: r.id }),
      (r) => r.n,
    );
    expect(page.items).toEqual([1, 2]);
    expect(decodeCursor(page.next_cursor ?? '', false)).toEqual({ at, id });
    expect(
      toPage(
        rows,
        3,
        (r) => ({ at: r.at, id: r.id }),
        (r) => r.n,
      ).next_cursor,
    ).toBeNull();
  });
});
