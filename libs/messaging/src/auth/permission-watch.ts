import { PermissionViolationError, type NatsConnection } from '@nats-io/nats-core';
import { type Logger, silentLogger } from '../logger.js';

/** One refusal by the server of something this connection's user is not permitted to do. */
export interface PermissionViolation {
  readonly operation: 'publish' | 'subscription';
  readonly subject: string;
  readonly at: Date;
}

/**
 * The server refused an operation under this connection's generated permissions: a wrong or
 * stale credential, or permissions generated from older contracts. Not an outage: retrying
 * does not help until the credential or the server's authorization config is fixed.
 */
export class BusPermissionError extends Error {
  constructor(readonly violation: Pick<PermissionViolation, 'operation' | 'subject'>) {
    super(
      `NATS refused ${violation.operation} on '${violation.subject}' for this service's bus user ` +
        '(permissions): check its credentials and regenerate the authorization config (npm run bus:auth)',
    );
    this.name = 'BusPermissionError';
  }
}

/** Refusals provisioning expects and handles itself (see `record`). */
const EXPECTED_REFUSAL_PREFIX = '$JS.API.STREAM.CREATE.';

type Listener = (violation: PermissionViolation) => void;

const watches = new WeakMap<NatsConnection, PermissionWatch>();

/**
 * Watches one NATS connection's status for permission violations (which nats.js reports
 * asynchronously, apart from requests): logs each, keeps the recent ones for readiness, and
 * tells listeners (a publisher fails the messages whose subject was refused instead of waiting
 * for an acknowledgement that will never come).
 */
export class PermissionWatch {
  private readonly recentViolations: PermissionViolation[] = [];
  private readonly listeners = new Set<Listener>();

  private constructor(
    nc: NatsConnection,
    private readonly logger: Logger,
  ) {
    void (async () => {
      for await (const status of nc.status()) {
        if (status.type === 'error' && status.error instanceof PermissionViolationError) {
          this.record(status.error.operation, status.error.subject);
        }
      }
    })().catch(() => undefined);
  }

  /** The watch of `nc` (one per connection, created on first use). */
  static of(nc: NatsConnection, logger: Logger = silentLogger): PermissionWatch {
    let watch = watches.get(nc);
    if (!watch) {
      watch = new PermissionWatch(nc, logger);
      watches.set(nc, watch);
    }
    return watch;
  }

  /** Calls `listener` on each violation from now on; returns the function that stops it. */
  onViolation(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /** Violations seen within the last `windowMs`, newest first. */
  recent(windowMs: number): PermissionViolation[] {
    const since = Date.now() - windowMs;
    return this.recentViolations.filter((v) => v.at.getTime() >= since).reverse();
  }

  private record(operation: 'publish' | 'subscription', subject: string): void {
    // A consumer asking to create a missing stream it reads is told no when only the owner
    // may: provisioning handles that (it waits for the owner), so it is not lost work.
    if (operation === 'publish' && subject.startsWith(EXPECTED_REFUSAL_PREFIX)) return;
    const violation = { operation, subject, at: new Date() };
    this.recentViolations.push(violation);
    if (this.recentViolations.length > 100) this.recentViolations.shift();
    this.logger.error(
      { err: new BusPermissionError(violation), subject, operation },
      'bus: permission violation',
    );
    for (const listener of this.listeners) listener(violation);
  }
}

/**
 * The `BusPermissionError` a failed request stands for, when the server refused it for
 * permissions (nats.js rejects the request with the server's `-ERR` text), else undefined.
 */
export function asBusPermissionError(error: unknown): BusPermissionError | undefined {
  if (error instanceof BusPermissionError) return error;
  const cause = error instanceof Error ? error.cause : undefined;
  const text = [error, cause]
    .map((e) => (e instanceof Error ? e.message : typeof e === 'string' ? e : ''))
    .join(' ');
  const match = /Permissions Violation for (Publish|Subscription) to "([^"]+)"/i.exec(text);
  if (!match) return undefined;
  return new BusPermissionError({
    operation: match[1].toLowerCase() === 'publish' ? 'publish' : 'subscription',
    subject: match[2],
  });
}
