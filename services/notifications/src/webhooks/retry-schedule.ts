/**
 * When a failed webhook delivery is tried again: exponential back-off (`base · 2^(n-1)`,
 * capped at `maxDelayMs`) with "equal jitter" (half the delay fixed, half random) so that many
 * deliveries failing together do not come back together. The last attempt lands on the
 * horizon; after it, `undefined`: the delivery has failed for good.
 */
export function nextAttemptAt(
  options: { baseMs: number; maxDelayMs: number; horizonMs: number },
  createdAt: Date,
  attempts: number,
  now: Date,
  random: () => number = Math.random,
): Date | undefined {
  const deadline = createdAt.getTime() + options.horizonMs;
  if (now.getTime() >= deadline) return undefined;
  const delay = Math.min(options.baseMs * 2 ** Math.max(0, attempts - 1), options.maxDelayMs);
  const jittered = delay / 2 + random() * (delay / 2);
  return new Date(Math.min(now.getTime() + jittered, deadline));
}
