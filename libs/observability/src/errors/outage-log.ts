import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { Counter } from 'prom-client';
import type { Logger } from 'pino';
import { MetricsService } from '../metrics/metrics.service.js';
import type { ObservabilityModuleOptions } from '../observability.options.js';
import { OBSERVABILITY_OPTIONS, PINO_LOGGER } from '../observability.tokens.js';

/** Without a refusal for this long, an outage is logged as over. */
const DEFAULT_QUIET_MS = 10_000;
/** While an outage lasts, at most one "still refusing" line per this interval. */
const DEFAULT_REPEAT_MS = 60_000;

/** What the problem filter knows of one refused request. */
export interface RefusalFields {
  readonly error_id?: string;
  readonly code: string;
  readonly status: number;
  readonly method: string;
  readonly path: string;
}

interface Outage {
  readonly started: number;
  refusals: number;
  /** Refusals since the last line logged about this outage. */
  unreported: number;
  lastLogged: number;
  quiet?: NodeJS.Timeout;
}

/**
 * Logs 503 refusals (a dependency is down, the replica is at capacity) per outage rather than
 * per request: during a Postgres outage every request is refused, and an error line with a
 * stack for each buried the logs under megabytes in seconds. One `error` line (with the first
 * refusal's error and stack) when refusals of a code start, at most one `warn` line per
 * `repeatMs` while they go on, one `warn` line when none came for `quietMs`; every refusal is
 * counted in `ihf_http_unavailable_refusals_total{code}`.
 */
@Injectable()
export class OutageLog implements OnModuleDestroy {
  private readonly outages = new Map<string, Outage>();
  private readonly refusals: Counter<'code'>;
  private readonly quietMs: number;
  private readonly repeatMs: number;

  constructor(
    @Inject(PINO_LOGGER) private readonly logger: Logger,
    @Inject(MetricsService) metrics: MetricsService,
    @Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions,
  ) {
    this.quietMs = options.outageLog?.quietMs ?? DEFAULT_QUIET_MS;
    this.repeatMs = options.outageLog?.repeatMs ?? DEFAULT_REPEAT_MS;
    this.refusals = new Counter({
      name: 'ihf_http_unavailable_refusals_total',
      help: 'Requests answered 503 (a dependency unavailable, or the replica at capacity), by problem code.',
      labelNames: ['code'],
      registers: [metrics.registry],
    });
  }

  /** Records one request answered 503 because of `error`. */
  refused(fields: RefusalFields, error: unknown): void {
    this.refusals.inc({ code: fields.code });
    const now = Date.now();
    let outage = this.outages.get(fields.code);
    if (!outage) {
      outage = { started: now, refusals: 0, unreported: 0, lastLogged: now };
      this.outages.set(fields.code, outage);
      this.logger.error(
        { ...fields, err: error },
        `Outage: requests refused with ${fields.status} ${fields.code}; further refusals are counted in ihf_http_unavailable_refusals_total, not logged each`,
      );
    } else if (now - outage.lastLogged >= this.repeatMs) {
      this.logger.warn(
        {
          code: fields.code,
          refusals: outage.unreported,
          outage_seconds: Math.round((now - outage.started) / 1000),
        },
        `Outage goes on: ${outage.unreported} requests refused with ${fields.code} since the last report`,
      );
      outage.lastLogged = now;
      outage.unreported = 0;
    }
    outage.refusals++;
    outage.unreported++;
    if (outage.quiet) outage.quiet.refresh();
    else outage.quiet = setTimeout(() => this.end(fields.code), this.quietMs).unref();
  }

  onModuleDestroy(): void {
    for (const code of [...this.outages.keys()]) this.end(code);
  }

  private end(code: string): void {
    const outage = this.outages.get(code);
    if (!outage) return;
    clearTimeout(outage.quiet);
    this.outages.delete(code);
    this.logger.warn(
      {
        code,
        refusals: outage.refusals,
        outage_seconds: Math.round((Date.now() - outage.started) / 1000),
      },
      `Outage over: no request refused with ${code} for ${this.quietMs / 1000} s (${outage.refusals} refused in all)`,
    );
  }
}
