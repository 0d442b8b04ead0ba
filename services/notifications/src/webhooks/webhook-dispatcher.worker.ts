import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { type EntityManager, MikroORM } from '@mikro-orm/core';
import { type Logger } from '@ihf/messaging';
import { PINO_LOGGER } from '@ihf/observability';
import { query } from '@ihf/persistence';
import { SecretBox } from '../common/secret-box.js';
import { NotificationsConfig } from '../config/notifications.config.js';
import { writeNotice } from '../notices/notice-writer.js';
import { RecipientsRepository } from '../recipients/recipients.repository.js';
import { DestinationGuard, DestinationRefusedError } from './destination-guard.js';
import { nextAttemptAt } from './retry-schedule.js';
import { type AttemptResult, postDelivery } from './webhook-sender.js';
import { signedHeaders } from './webhook-signer.js';

interface DueDelivery {
  id: string;
  endpoint_id: string;
  hub_id: string;
  url: string;
  event_id: string;
  payload: unknown;
  attempts: number;
  created_at: Date;
  secret: Buffer;
  previous_secret: Buffer | null;
  previous_secret_until: Date | null;
  created_by: string;
}

const BATCH = 20;

/** getaddrinfo has no timeout of its own: a lookup that hangs is a failed attempt. */
function withTimeout<T>(work: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} timed out after ${ms} ms`)), ms);
  });
  return Promise.race([work, timeout]).finally(() => clearTimeout(timer));
}

/**
 * Sends due webhook deliveries: claims them (`for update skip locked`, hidden for twice the
 * timeout so that no other replica sends them meanwhile), checks the destination, signs,
 * POSTs, and records the attempt. A failure is retried on the back-off schedule until the
 * horizon; a delivery that failed throughout it fails for good, and when its endpoint had no
 * success in all that time the endpoint is disabled and its creator told in the inbox.
 */
@Injectable()
export class WebhookDispatcher implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private timer?: NodeJS.Timeout;
  private running?: Promise<void>;
  private readonly box: SecretBox;
  private readonly guard: DestinationGuard;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(NotificationsConfig) private readonly config: NotificationsConfig,
    @Inject(PINO_LOGGER) private readonly logger: Logger,
  ) {
    this.box = new SecretBox(config.NOTIFICATIONS_SECRET_KEY);
    this.guard = new DestinationGuard(config.WEBHOOK_ALLOWED_PRIVATE_CIDRS);
  }

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => {
      if (this.running) return;
      this.running = this.tick()
        .catch((err: unknown) => this.logger.error({ err }, 'webhook dispatcher: tick failed'))
        .finally(() => (this.running = undefined));
    }, this.config.NOTIFICATIONS_POLL_MS);
    this.timer.unref();
  }

  async beforeApplicationShutdown(): Promise<void> {
    clearInterval(this.timer);
    await this.running;
  }

  async tick(): Promise<void> {
    const em = this.orm.em.fork();
    const due = await query<DueDelivery>(
      em,
      `update notifications.webhook_deliveries d
       set attempts = d.attempts + 1,
           next_attempt_at = now() + make_interval(secs => ?)
       from notifications.webhook_endpoints e
       where e.id = d.endpoint_id and d.id in (
         select d2.id from notifications.webhook_deliveries d2
         join notifications.webhook_endpoints e2 on e2.id = d2.endpoint_id and e2.status = 'active'
         where d2.status = 'pending' and d2.next_attempt_at <= now()
         order by d2.next_attempt_at limit ${BATCH} for update of d2 skip locked)
       returning d.id, d.endpoint_id, e.hub_id, e.url, d.event_id, d.payload, d.attempts,
         d.created_at, e.secret, e.previous_secret, e.previous_secret_until, e.created_by`,
      [(2 * this.config.WEBHOOK_TIMEOUT_MS + 5_000) / 1000],
    );
    await Promise.all(due.map((d) => this.deliver(em.fork(), d)));
  }

  private async deliver(em: EntityManager, d: DueDelivery): Promise<void> {
    const url = new URL(d.url);
    let result: AttemptResult;
    try {
      const addresses = await withTimeout(
        this.guard.resolve(url),
        this.config.WEBHOOK_TIMEOUT_MS,
        `resolving ${url.hostname}`,
      );
      const body = JSON.stringify(d.payload);
      const secrets = [this.box.open(d.secret, d.endpoint_id)];
      if (
        d.previous_secret &&
        d.previous_secret_until &&
        new Date(d.previous_secret_until) > new Date()
      ) {
        secrets.push(this.box.open(d.previous_secret, d.endpoint_id));
      }
      // webhook-id is the event's id: retries and replays of it carry the same one.
      const headers = signedHeaders(d.event_id, new Date(), body, secrets);
      result = await postDelivery(url, addresses, headers, body, this.config.WEBHOOK_TIMEOUT_MS);
    } catch (err) {
      if (err instanceof DestinationRefusedError) {
        await this.record(em, d, { statusCode: null, responseMs: 0, error: err.message });
        await query(
          em,
          `update notifications.webhook_deliveries set status = 'refused', last_error = ? where id = ?`,
          [err.message, d.id],
        );
        return;
      }
      // DNS failures and the like: a failed attempt like any other.
      result = { statusCode: null, responseMs: 0, error: (err as Error).message ?? String(err) };
    }
    await this.record(em, d, result);
    if (result.statusCode !== null && result.statusCode >= 200 && result.statusCode < 300) {
      await query(
        em,
        `update notifications.webhook_deliveries set status = 'delivered', delivered_at = now() where id = ?`,
        [d.id],
      );
      return;
    }
    const next = nextAttemptAt(
      {
        baseMs: this.config.WEBHOOK_RETRY_BASE_MS,
        maxDelayMs: this.config.WEBHOOK_RETRY_MAX_DELAY_MS,
        horizonMs: this.config.WEBHOOK_RETRY_HORIZON_MS,
      },
      new Date(d.created_at),
      d.attempts,
      new Date(),
    );
    if (next) {
      await query(
        em,
        'update notifications.webhook_deliveries set next_attempt_at = ? where id = ?',
        [next, d.id],
      );
      return;
    }
    await this.failForGood(em, d);
  }

  /** The delivery log: one row per attempt, and the last one's outcome on the delivery. */
  private async record(em: EntityManager, d: DueDelivery, r: AttemptResult): Promise<void> {
    const error =
      r.error ??
      (r.statusCode !== null && (r.statusCode < 200 || r.statusCode >= 300)
        ? `answered ${r.statusCode}`
        : null);
    await query(
      em,
      `insert into notifications.webhook_attempts (delivery_id, status_code, response_ms, error)
       values (?, ?, ?, ?)`,
      [d.id, r.statusCode, r.responseMs, error?.slice(0, 500) ?? null],
    );
    await query(
      em,
      `update notifications.webhook_deliveries
       set last_status_code = ?, last_response_ms = ?, last_error = ? where id = ?`,
      [r.statusCode, r.responseMs, error?.slice(0, 500) ?? null, d.id],
    );
  }

  private async failForGood(em: EntityManager, d: DueDelivery): Promise<void> {
    await em.transactional(async (tx) => {
      await query(
        tx,
        `update notifications.webhook_deliveries set status = 'failed' where id = ?`,
        [d.id],
      );
      // Failing throughout the horizon: no success of the endpoint since this delivery began.
      const disabled = await query<{ id: string }>(
        tx,
        `update notifications.webhook_endpoints e set status = 'disabled', disabled_at = now(),
           disabled_reason = 'every delivery failed for the whole retry horizon', updated_at = now()
         where e.id = ? and e.status = 'active' and not exists (
           select 1 from notifications.webhook_deliveries x
           where x.endpoint_id = e.id and x.delivered_at >= ?)
         returning e.id`,
        [d.endpoint_id, d.created_at],
      );
      if (disabled.length === 0) return;
      this.logger.warn({ endpoint: d.endpoint_id }, 'webhook endpoint disabled after failing');
      const owner = await RecipientsRepository.find(tx, d.created_by);
      await writeNotice(
        tx,
        // The notice's own id: one per disabling.
        { event_id: crypto.randomUUID(), type: 'notifications.webhook_endpoint.disabled' },
        {
          hubId: d.hub_id,
          recipients: [owner ?? { user_id: d.created_by, email: null, name: null }],
          title: 'A webhook endpoint was disabled',
          body: `Deliveries to ${d.url} failed for the whole retry horizon, so the endpoint was disabled. Fix it, then set its status to active again (PATCH /api/v1/hubs/${d.hub_id}/webhooks/${d.endpoint_id}).`,
          actorId: null,
        },
      );
    });
  }
}
