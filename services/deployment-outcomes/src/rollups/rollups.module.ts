import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Module,
  type OnApplicationBootstrap,
  type OnModuleInit,
} from '@nestjs/common';
import { jetstreamManager, type JetStreamClient } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { STREAMS } from '@ihf/contracts';
import { Pool } from 'pg';
import { Counter } from 'prom-client';
import { HealthRegistry, MetricsService, PINO_LOGGER } from '@ihf/observability';
import { JETSTREAM, NATS_CONNECTION, type Logger, provisionStreams } from '@ihf/messaging';
import { DeploymentConfig } from '../config/deployment.config.js';
import { ANNOTATION_FEED } from './annotation-rollup.feed.js';
import { INTERACTION_FEED } from './interaction-rollup.feed.js';
import { RollupConsumer } from './rollup-consumer.js';

/** Starts the interaction and annotation rollups once the app (and its streams) are up. */
@Injectable()
export class RollupsLifecycle
  implements OnModuleInit, OnApplicationBootstrap, BeforeApplicationShutdown
{
  private pool?: Pool;
  readonly consumers: RollupConsumer<unknown>[] = [];

  constructor(
    @Inject(DeploymentConfig) private readonly config: DeploymentConfig,
    @Inject(JETSTREAM) private readonly js: JetStreamClient,
    @Inject(NATS_CONNECTION) private readonly nc: NatsConnection,
    @Inject(HealthRegistry) private readonly health: HealthRegistry,
    @Inject(MetricsService) private readonly metrics: MetricsService,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onModuleInit(): void {
    this.health.register('rollups', () => {
      const stopped = this.consumers.filter((c) => c.stoppedWith !== undefined);
      return stopped.length
        ? Promise.reject(new Error(`${stopped.length} rollup(s) stopped consuming`))
        : Promise.resolve();
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    const counted = new Counter({
      name: 'ihf_rollup_events_total',
      help: 'Events added to the rollups (outcome: applied or skipped as invalid), by feed.',
      labelNames: ['feed', 'outcome'],
      registers: [this.metrics.registry],
    });
    // The feeds' streams belong to ingestion and feedback: created here only when missing.
    await provisionStreams(
      await jetstreamManager(this.nc),
      this.config.IHF_NATS_NAMESPACE,
      [STREAMS.IHF_EVENTS, STREAMS.IHF_FEEDBACK],
      'ensure',
    );
    this.pool = new Pool({ connectionString: this.config.DATABASE_URL, max: 2 });
    for (const feed of [INTERACTION_FEED, ANNOTATION_FEED] as const) {
      const consumer = new RollupConsumer<unknown>({
        feed: feed,
        js: this.js,
        pool: this.pool,
        namespace: this.config.IHF_NATS_NAMESPACE,
        batchSize: this.config.DEPLOYMENT_ROLLUP_BATCH,
        logger: this.logger,
        onApplied: (applied, skipped) => {
          counted.inc({ feed: feed.name, outcome: 'applied' }, applied);
          if (skipped) counted.inc({ feed: feed.name, outcome: 'skipped' }, skipped);
        },
      });
      await consumer.start();
      this.consumers.push(consumer);
    }
  }

  async beforeApplicationShutdown(): Promise<void> {
    await Promise.all(this.consumers.map((c) => c.stop()));
    await this.pool?.end();
  }
}

@Module({ providers: [RollupsLifecycle], exports: [RollupsLifecycle] })
export class RollupsModule {}
