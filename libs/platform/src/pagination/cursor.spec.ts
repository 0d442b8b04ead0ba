import { decodeCursor, encodeCursor, InvalidCursorError, toPage } from './cursor.js';

const id = '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d';
const at = '2026-11-27T21:00:00.123456Z';

describe('cursor', () => {
  it('round-trips time and id, and rank for ranked lists', () => {
    expect(decodeCursor(encodeCursor({ at, id }), false)).toEqual({ at, id });
    expect(decodeCursor(encodeCursor({ rank: 4, at, id: id.toUpperCase() }), true)).toEqual({
      rank: 4,
      at,
      id,
    });
  });

  it('accepts the millisecond cursors issued before microseconds', () => {
    const old = encodeCursor({ at: '2026-11-27T21:00:00.123Z', id });
    expect(decodeCursor(old)).toEqual({ at: '2026-11-27T21:00:00.123Z', id });
    expect(decodeCursor(encodeCursor({ at: '9999-12-31T23:59:59Z', id }))?.at).toBe(
      '9999-12-31T23:59:59Z',
    );
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
      [forged([at, 'not-a-uuid']), false],
      [forged(['+275760-09-13T00:00:00.000Z', id]), false],
      [forged(['-000001-01-01T00:00:00Z', id]), false],
      [forged(['0000-01-01T00:00:00Z', id]), false],
      [forged(['2026-02-30T00:00:00Z', id]), false],
      [forged(['2026-11-27T24:00:00Z', id]), false],
      [forged(['2026-11-27T21:00:00.1234567Z', id]), false],
      [forged(['2026-11-27T21:00:00+01:00', id]), false],
      [forged([new Date(at).getTime(), id]), false],
      [forged([101, at, id]), true],
      [forged([-1, at, id]), true],
      [forged([1e308, at, id]), true],
      [forged(['yesterday', id]), false],
      [forged([1.5, at, id]), true],
      [forged(['4', at, id]), true],
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
