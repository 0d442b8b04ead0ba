import { type DynamicModule, Global, Module } from '@nestjs/common';
import { OutageLog } from './errors/outage-log.js';
import { ProblemFilter } from './errors/problem.filter.js';
import { HealthController } from './health/health.controller.js';
import { HealthRegistry } from './health/health.registry.js';
import { createLogger } from './logging/logger.factory.js';
import { PinoNestLogger } from './logging/pino-nest.logger.js';
import { MetricsController } from './metrics/metrics.controller.js';
import { MetricsService } from './metrics/metrics.service.js';
import type { ObservabilityModuleOptions } from './observability.options.js';
import { OBSERVABILITY_OPTIONS, PINO_LOGGER } from './observability.tokens.js';

/**
 * Logging, metrics, health and the problem filter of one service. Import it once, in the
 * service's root module; it is global, so every module can inject {@link HealthRegistry},
 * {@link MetricsService} and the pino logger (`@Inject(PINO_LOGGER)`):
 *
 * ```ts
 * @Module({ imports: [ObservabilityModule.forRoot({ service: 'feedback' }), TriageModule] })
 * export class AppModule {}
 * ```
 *
 * It serves `GET /health/live`, `GET /health/ready` and `GET /metrics`. The HTTP pieces that
 * need the Fastify instance (request hook, global filter and pipe, Nest logger) are installed
 * by `@ihf/platform`'s bootstrap, which fails fast when this module is missing.
 */
@Global()
@Module({})
export class ObservabilityModule {
  /** The module for one service; see {@link ObservabilityModuleOptions}. */
  static forRoot(options: ObservabilityModuleOptions): DynamicModule {
    return {
      module: ObservabilityModule,
      controllers: [HealthController, MetricsController],
      providers: [
        { provide: OBSERVABILITY_OPTIONS, useValue: options },
        {
          provide: PINO_LOGGER,
          useFactory: () =>
            createLogger({
              service: options.service,
              level: options.logLevel,
              destination: options.logDestination,
            }),
        },
        PinoNestLogger,
        MetricsService,
        HealthRegistry,
        OutageLog,
        ProblemFilter,
      ],
      exports: [
        OBSERVABILITY_OPTIONS,
        PINO_LOGGER,
        PinoNestLogger,
        MetricsService,
        HealthRegistry,
        ProblemFilter,
      ],
    };
  }
}
