import { nextAttemptAt } from './retry-schedule.js';

describe('nextAttemptAt', () => {
  const options = { baseMs: 1_000, maxDelayMs: 60_000, horizonMs: 86_400_000 };
  const created = new Date('2026-12-01T00:00:00Z');

  it('doubles the delay per attempt, jittered within its upper half, up to the cap', () => {
    const at = (attempts: number, r: number) =>
      nextAttemptAt(options, created, attempts, created, () => r)!.getTime() - created.getTime();
    expect([1, 2, 3, 4].map((n) => at(n, 0))).toEqual([500, 1_000, 2_000, 4_000]);
    expect([1, 2, 3, 4].map((n) => at(n, 1))).toEqual([1_000, 2_000, 4_000, 8_000]);
    expect(at(30, 1)).toBe(60_000);
    expect(at(30, 0)).toBe(30_000);
  });

  it('puts the last attempt on the horizon, and gives up after it', () => {
    const late = new Date(created.getTime() + options.horizonMs - 10);
    expect(nextAttemptAt(options, created, 20, late, () => 1)).toEqual(
      new Date(created.getTime() + options.horizonMs),
    );
    expect(
      nextAttemptAt(options, created, 21, new Date(created.getTime() + options.horizonMs)),
    ).toBeUndefined();
  });
});
