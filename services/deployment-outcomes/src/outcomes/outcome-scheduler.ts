import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { PINO_LOGGER } from '@ihf/observability';
import { type Logger } from '@ihf/messaging';
import { query, queryOne } from '@ihf/persistence';
import { Clock } from '../common/clock.js';
import { DeploymentConfig } from '../config/deployment.config.js';
import { deploymentRow, type DeploymentRow } from '../deployments/deployment.repository.js';
import { OutcomesService } from './outcomes.service.js';

/** Key of the transaction-scoped advisory lock: one replica measures at a time. */
const SCHEDULER_LOCK = 'deployment-outcomes.scheduler';

/**
 * Writes provisional measurements while after-windows are open (every
 * `DEPLOYMENT_PROVISIONAL_EVERY_MS`) and the final one when a window closes. Its state lives
 * in the deployment rows (`last_measured_at`, `finalized_at`), so a restart resumes where it
 * was; each tick runs in one transaction under a Postgres advisory lock, so replicas never
 * measure at once, and a final measurement is written once (a unique index backs it).
 */
@Injectable()
export class OutcomeScheduler implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<unknown>;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(OutcomesService) private readonly outcomes: OutcomesService,
    @Inject(Clock) private readonly clock: Clock,
    @Inject(DeploymentConfig) private readonly config: DeploymentConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.error({ err }, 'outcome scheduler: tick failed'))
        .finally(() => (this.running = undefined));
    }, this.config.DEPLOYMENT_SCHEDULER_INTERVAL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  /**
   * One pass: measures what is due at the clock's now. Returns what it wrote (null when another
   * replica holds the lock).
   */
  async tick(): Promise<{ provisional: number; final: number } | null> {
    const now = this.clock.now();
    const every = this.config.DEPLOYMENT_PROVISIONAL_EVERY_MS;
    return this.orm.em.fork().transactional(async (em) => {
      const lock = await queryOne<{ locked: boolean }>(
        em,
        `select pg_try_advisory_xact_lock(hashtext(?)) as locked`,
        [SCHEDULER_LOCK],
      );
      if (!lock?.locked) return null;
      const due = await query<DeploymentRow>(
        em,
        `select * from deployment.deployment_records
         where finalized_at is null
           and (final_at <= ? or last_measured_at is null or last_measured_at <= ?)
         order by final_at limit 50`,
        [now, new Date(now.getTime() - every)],
      );
      const written = { provisional: 0, final: 0 };
      for (const d of due.map(deploymentRow))
        written[await this.outcomes.writeMeasurement(em, d, now)]++;
      return written;
    });
  }
}
