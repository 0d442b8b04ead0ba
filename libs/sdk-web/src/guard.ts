/** Prefix of every console line the SDK writes. */
export const LOG_PREFIX = '[ihf-sdk]';

/**
 * Wraps a function so that nothing it throws reaches the host page: the SDK is a guest there.
 * The error goes to `report` (itself guarded) and the wrapper returns `fallback`.
 */
export function guarded<A extends unknown[], R>(
  fn: (...args: A) => R,
  report: (error: unknown) => void,
  fallback: R,
): (...args: A) => R {
  return (...args: A): R => {
    try {
      return fn(...args);
    } catch (error) {
      try {
        report(error);
      } catch {
        // Nowhere left to report to; staying silent is still better than breaking the page.
      }
      return fallback;
    }
  };
}

/** A console that may be missing (workers, stripped environments). */
export function warn(...args: unknown[]): void {
  if (typeof console !== 'undefined' && typeof console.warn === 'function') {
    console.warn(LOG_PREFIX, ...args);
  }
}
