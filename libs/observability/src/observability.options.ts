import type { DestinationStream } from 'pino';

/** Options of `ObservabilityModule.forRoot`. */
export interface ObservabilityModuleOptions {
  /** Service name (`identity`, `feedback`, …): the `service` field of logs and metrics. */
  readonly service: string;
  /** pino level; defaults to `LOG_LEVEL`, else `info`. */
  readonly logLevel?: string;
  /** Log destination; defaults to stdout. Tests pass a stream to read lines back. */
  readonly logDestination?: DestinationStream;
  /** Time each readiness check may take before it counts as failed (default 2000 ms). */
  readonly readinessTimeoutMs?: number;
  /**
   * How 503 refusals are logged (see `OutageLog`): an outage is over after `quietMs` without a
   * refusal (default 10 s); while it lasts, one line per `repeatMs` (default 60 s).
   */
  readonly outageLog?: { readonly quietMs?: number; readonly repeatMs?: number };
}
