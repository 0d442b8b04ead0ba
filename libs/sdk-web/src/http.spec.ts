import { scriptedFetch } from './fakes.test-helper.js';
import { backoffMs, joinUrl, postJson, retryAfterMs } from './http.js';

describe('retryAfterMs', () => {
  const now = Date.parse('2026-11-27T21:00:00Z');
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('30', now)).toBe(30_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 21:00:10 GMT', now)).toBe(10_000);
    expect(retryAfterMs('Fri, 27 Nov 2026 20:00:00 GMT', now)).toBe(0);
  });
  it('ignores what it cannot read and caps absurd waits at an hour', () => {
    expect(retryAfterMs(null, now)).toBeUndefined();
    expect(retryAfterMs('soon', now)).toBeUndefined();
    expect(retryAfterMs('999999', now)).toBe(3_600_000);
  });
});

describe('backoffMs', () => {
  it('doubles per attempt, jittered within [cap/2, cap], up to the ceiling', () => {
    expect(backoffMs(0, 1000, 60_000, () => 0)).toBe(500);
    expect(backoffMs(0, 1000, 60_000, () => 1)).toBe(1000);
    expect(backoffMs(3, 1000, 60_000, () => 0.5)).toBe(6000);
    expect(backoffMs(20, 1000, 60_000, () => 1)).toBe(60_000);
    for (let i = 0; i < 100; i++) {
      const d = backoffMs(2, 1000, 60_000);
      expect(d).toBeGreaterThanOrEqual(2000);
      expect(d).toBeLessThanOrEqual(4000);
    }
  });
});

describe('postJson', () => {
  it.each([
    [{ status: 202, body: { results: [] } }, 'ok'],
    [{ status: 429, headers: { 'retry-after': '2' } }, 'retry'],
    [{ status: 500 }, 'retry'],
    [{ status: 503, headers: { 'retry-after': '1' } }, 'retry'],
    [{ status: 400, body: { title: 'bad' } }, 'fail'],
    [{ status: 401 }, 'fail'],
    ['network-error' as const, 'retry'],
  ])('classifies %j as %s', async (reply, kind) => {
    const api = scriptedFetch([reply]);
    const outcome = await postJson('https://x/api', 'k', { a: 1 }, { fetch: api.fetch });
    expect(outcome.kind).toBe(kind);
    const header =
      typeof reply === 'string'
        ? undefined
        : (reply as { headers?: Record<string, string> }).headers;
    if (header?.['retry-after']) {
      expect(outcome).toMatchObject({ after: Number(header['retry-after']) * 1000 });
    }
  });

  it('never rejects, even when fetch throws synchronously', async () => {
    const fetch = (() => {
      throw new Error('boom');
    }) as unknown as typeof globalThis.fetch;
    await expect(postJson('https://x', 'k', {}, { fetch })).resolves.toEqual({ kind: 'retry' });
  });

  it('joins endpoint and path with one slash', () => {
    expect(joinUrl('https://a.b//', '/api/v1/x')).toBe('https://a.b/api/v1/x');
  });
});
