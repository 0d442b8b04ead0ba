import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnApplicationShutdown,
} from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { PINO_LOGGER } from '@ihf/observability';
import { type Logger } from 'pino';
import { RefreshToken } from './refresh-token.entity.js';

const HOUR_MS = 60 * 60 * 1000;
/** Expired tokens are kept a day, so that late reuse is still recognised and logged. */
const RETENTION_MS = 24 * HOUR_MS;

/** Deletes long-expired refresh tokens every hour (idempotent; any replica may run it). */
@Injectable()
export class RefreshTokenJanitor implements OnApplicationBootstrap, OnApplicationShutdown {
  private timer: NodeJS.Timeout | undefined;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => void this.sweep(), HOUR_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /** Deletes tokens expired for longer than the retention; returns how many. */
  async sweep(now: Date = new Date()): Promise<number> {
    try {
      const deleted = await this.orm.em
        .fork()
        .nativeDelete(RefreshToken, { expiresAt: { $lt: new Date(now.getTime() - RETENTION_MS) } });
      if (deleted > 0) this.logger.info({ deleted }, 'Expired refresh tokens deleted');
      return deleted;
    } catch (err) {
      // Retried at the next tick; nothing depends on the sweep having run.
      this.logger.error({ err }, 'Refresh token sweep failed');
      return 0;
    }
  }
}
