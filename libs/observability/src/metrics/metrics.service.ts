import { Inject, Injectable } from '@nestjs/common';
import { collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import type { ObservabilityModuleOptions } from '../observability.options.js';
import { OBSERVABILITY_OPTIONS } from '../observability.tokens.js';

/** Label values of one observation of {@link MetricsService.httpRequestDuration}. */
export type HttpMetricLabels = 'method' | 'route' | 'status_code';

/** Route label used for requests that matched no route (keeps the label set bounded). */
export const UNMATCHED_ROUTE = '<unmatched>';

/**
 * The application's Prometheus registry, one per app (never prom-client's global one, so that
 * several apps in one process, as in tests, do not collide). Every metric carries a
 * `service` label. Other libs register their own metrics on {@link MetricsService.registry}:
 *
 * ```ts
 * new Counter({ name: 'ihf_outbox_published_total', help: '…', registers: [metrics.registry] });
 * ```
 */
@Injectable()
export class MetricsService {
  /** The registry `GET /metrics` serves. */
  readonly registry = new Registry();

  /**
   * HTTP server request duration in seconds, by method, route template (`/hubs/:id`, never
   * the raw URL) and status code. Observed by the request hook of `registerHttpObservability`.
   */
  readonly httpRequestDuration: Histogram<HttpMetricLabels>;

  constructor(@Inject(OBSERVABILITY_OPTIONS) options: ObservabilityModuleOptions) {
    this.registry.setDefaultLabels({ service: options.service });
    collectDefaultMetrics({ register: this.registry });
    this.httpRequestDuration = new Histogram({
      name: 'http_server_request_duration_seconds',
      help: 'Duration of HTTP server requests, by method, route template and status code.',
      labelNames: ['method', 'route', 'status_code'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers: [this.registry],
    });
  }

  /** Content type of {@link MetricsService.metrics} (Prometheus text format). */
  get contentType(): string {
    return this.registry.contentType;
  }

  /** All metrics in Prometheus text format. */
  metrics(): Promise<string> {
    return this.registry.metrics();
  }
}
