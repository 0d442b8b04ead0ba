import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  Optional,
} from '@nestjs/common';
import { Gauge } from 'prom-client';
import { MetricsService } from '../metrics/metrics.service.js';
import type { ObservabilityModuleOptions } from '../observability.options.js';
import { OBSERVABILITY_OPTIONS } from '../observability.tokens.js';

/** A readiness check: resolves when the dependency is usable, rejects (or hangs) otherwise. */
export type HealthCheck = () => Promise<void>;

/** Outcome of one check in a {@link ReadinessReport}. */
export interface CheckResult {
  readonly status: 'up' | 'down';
  readonly duration_ms: number;
  /** Why it is down: `timeout` or `failed` (details go to the log, not to the response). */
  readonly error?: 'timeout' | 'failed';
}

/** Body of `GET /health/ready` (snake_case on the wire). */
export interface ReadinessReport {
  readonly status: 'ok' | 'unavailable';
  /** True once shutdown has begun: the instance must receive no new traffic. */
  readonly shutting_down: boolean;
  readonly checks: Record<string, CheckResult>;
}

const DEFAULT_TIMEOUT_MS = 2000;

/**
 * Where modules register what "ready" means for this instance, e.g. the persistence lib
 * registers `postgres` and the messaging lib `nats`:
 *
 * ```ts
 * constructor(health: HealthRegistry, orm: MikroORM) {
 *   health.register('postgres', async () => { await orm.em.getConnection().execute('select 1'); });
 * }
 * ```
 *
 * Readiness runs every check in parallel, each bounded by the module's `readinessTimeoutMs`.
 * Once {@link HealthRegistry.beginShutdown} is called (by the platform's signal handler, or
 * by Nest's `beforeApplicationShutdown` on `app.close()`), readiness is down whatever the
 * checks say, so that load balancers stop sending traffic while in-flight requests finish.
 */
@Injectable()
export class HealthRegistry implements BeforeApplicationShutdown {
  private readonly logger = new Logger('Health');
  private readonly checks = new Map<string, HealthCheck>();
  private readonly timeoutMs: number;
  private shuttingDown = false;

  constructor(
    @Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions,
    @Optional() @Inject(MetricsService) metrics?: MetricsService,
  ) {
    this.timeoutMs = options.readinessTimeoutMs ?? DEFAULT_TIMEOUT_MS;
    if (metrics) this.registerMetrics(metrics);
  }

  /**
   * `ihf_readiness_up` (1 ready, 0 not) and `ihf_readiness_check_up{check}`, evaluated at each
   * scrape: alerts see an instance that is not ready, or that flaps, without reading probes.
   */
  private registerMetrics(metrics: MetricsService): void {
    // Both gauges are collected in parallel at a scrape: they share one run of the checks.
    let shared: { at: number; report: Promise<ReadinessReport> } | undefined;
    const report = () => {
      if (!shared || performance.now() - shared.at > 1_000)
        shared = { at: performance.now(), report: this.readiness() };
      return shared.report;
    };
    new Gauge({
      name: 'ihf_readiness_up',
      help: 'Whether the instance was ready at the last scrape (1 ready, 0 not: a check down, or shutting down).',
      registers: [metrics.registry],
      async collect() {
        this.set((await report()).status === 'ok' ? 1 : 0);
      },
    });
    new Gauge({
      name: 'ihf_readiness_check_up',
      help: 'Readiness check result at the last scrape (1 up, 0 down), by check.',
      labelNames: ['check'],
      registers: [metrics.registry],
      async collect() {
        for (const [name, result] of Object.entries((await report()).checks))
          this.set({ check: name }, result.status === 'up' ? 1 : 0);
      },
    });
  }

  /**
   * Registers a readiness check under a unique name.
   *
   * @throws Error when a check of that name is already registered.
   */
  register(name: string, check: HealthCheck): void {
    if (this.checks.has(name)) throw new Error(`Health check '${name}' is already registered`);
    this.checks.set(name, check);
  }

  /** Names of the registered checks. */
  names(): string[] {
    return [...this.checks.keys()];
  }

  /** Marks the instance as shutting down: readiness fails from now on. */
  beginShutdown(): void {
    this.shuttingDown = true;
  }

  /** Whether {@link HealthRegistry.beginShutdown} was called. */
  get isShuttingDown(): boolean {
    return this.shuttingDown;
  }

  /** Nest lifecycle: `app.close()` also takes the instance out of rotation. */
  beforeApplicationShutdown(): void {
    this.beginShutdown();
  }

  /** Runs every check (in parallel, each with the timeout) and reports. */
  async readiness(): Promise<ReadinessReport> {
    const entries = await Promise.all(
      [...this.checks].map(async ([name, check]) => [name, await this.run(name, check)] as const),
    );
    const checks = Object.fromEntries(entries);
    const allUp = entries.every(([, result]) => result.status === 'up');
    return {
      status: allUp && !this.shuttingDown ? 'ok' : 'unavailable',
      shutting_down: this.shuttingDown,
      checks,
    };
  }

  private async run(name: string, check: HealthCheck): Promise<CheckResult> {
    const started = performance.now();
    const elapsed = () => Math.round(performance.now() - started);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), this.timeoutMs);
    });
    try {
      // A check that throws synchronously counts as failed, like one that rejects.
      const outcome = await Promise.race([Promise.resolve().then(check), timeout]);
      if (outcome === 'timeout') {
        this.logger.warn(`Readiness check '${name}' timed out after ${this.timeoutMs} ms`);
        return { status: 'down', duration_ms: elapsed(), error: 'timeout' };
      }
      return { status: 'up', duration_ms: elapsed() };
    } catch (err: unknown) {
      this.logger.warn(`Readiness check '${name}' failed: ${describe(err)}`);
      return { status: 'down', duration_ms: elapsed(), error: 'failed' };
    } finally {
      clearTimeout(timer);
    }
  }
}

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
