import { type Logger } from '../logger.js';

/**
 * Logs a relay loop's failed passes without flooding: while the database or NATS is down the
 * loop retries every half second, so the first failure is a warning, repeats are one warning
 * a minute (with the count), and the recovery is logged once.
 */
export class OutageLog {
  private failures = 0;
  private lastWarned = 0;

  constructor(
    private readonly logger: Logger,
    private readonly what: string,
    private readonly repeatMs = 60_000,
  ) {}

  /** Consecutive failed passes so far. */
  get count(): number {
    return this.failures;
  }

  /**
   * How long to wait after the next failed pass: doubling from half a second, at most 30 s
   * (the listener cuts the wait short while the database is unreachable).
   */
  nextDelayMs(): number {
    return Math.min(250 * 2 ** Math.min(this.failures + 1, 7), 30_000);
  }

  failed(error: unknown, retryInMs: number): void {
    this.failures++;
    const now = Date.now();
    if (this.failures === 1 || now - this.lastWarned >= this.repeatMs) {
      this.lastWarned = now;
      this.logger.warn(
        { err: error, failures: this.failures, retryInMs },
        `${this.what}: batch failed, rows stay pending`,
      );
    } else {
      this.logger.debug(
        { err: error, failures: this.failures, retryInMs },
        `${this.what}: batch failed again`,
      );
    }
  }

  succeeded(): void {
    if (this.failures === 0) return;
    this.logger.info({ failures: this.failures }, `${this.what}: relaying again`);
    this.failures = 0;
  }
}
