import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, canAccessHub } from '@ihf/auth';
import { iso, pgArray, query, queryOne } from '@ihf/persistence';
import { cursorTimeSql, decodeCursor, type Page, toPage } from '@ihf/platform';
import { NotificationsConfig } from '../config/notifications.config.js';
import { SecretBox } from '../common/secret-box.js';
import { DestinationGuard, DestinationRefusedError } from './destination-guard.js';
import {
  type CreateWebhookEndpointDto,
  type DeliveryQueryDto,
  type UpdateWebhookEndpointDto,
  type WebhookDeliveryDetailView,
  type WebhookDeliveryView,
  type WebhookEndpointView,
  type WebhookEndpointWithSecretView,
} from './dto/webhook.dto.js';
import { newWebhookSecret } from './webhook-signer.js';
import {
  ReplayRangeInvalidError,
  ReplayRangeTooLargeError,
  WebhookAdminRequiredError,
  WebhookDeliveryNotFoundError,
  WebhookDestinationRefusedError,
  WebhookEndpointNotFoundError,
} from './webhooks.errors.js';

interface EndpointRow {
  id: string;
  hub_id: string;
  url: string;
  event_types: string[];
  description: string | null;
  status: WebhookEndpointView['status'];
  disabled_reason: string | null;
  previous_secret_until: Date | null;
  created_by: string;
  created_at: Date;
}

interface DeliveryRow {
  id: string;
  endpoint_id: string;
  event_id: string;
  event_type: string;
  status: WebhookDeliveryView['status'];
  attempts: number;
  last_status_code: number | null;
  last_response_ms: number | null;
  last_error: string | null;
  next_attempt_at: Date;
  replay_of: string | null;
  created_at: Date;
  delivered_at: Date | null;
  cursor_at: string;
}

const ENDPOINT_COLUMNS = `id, hub_id, url, event_types, description, status, disabled_reason,
  previous_secret_until, created_by, created_at`;
const DELIVERY_COLUMNS = `id, endpoint_id, event_id, event_type, status, attempts, last_status_code,
  last_response_ms, last_error, next_attempt_at, replay_of, created_at, delivered_at,
  ${cursorTimeSql('created_at')} as cursor_at`;

/** A replay of a time range queues at most this many deliveries per call. */
export const MAX_REPLAY = 1_000;

const endpointView = (r: EndpointRow): WebhookEndpointView => ({
  id: r.id,
  hub_id: r.hub_id,
  url: r.url,
  event_types: r.event_types,
  description: r.description,
  status: r.status,
  disabled_reason: r.disabled_reason,
  previous_secret_valid_until:
    r.previous_secret_until && new Date(r.previous_secret_until) > new Date()
      ? iso(r.previous_secret_until)
      : null,
  created_by: r.created_by,
  created_at: iso(r.created_at)!,
});

const deliveryView = (r: DeliveryRow): WebhookDeliveryView => ({
  id: r.id,
  endpoint_id: r.endpoint_id,
  event_id: r.event_id,
  event_type: r.event_type,
  status: r.status,
  attempts: r.attempts,
  last_status_code: r.last_status_code,
  last_response_ms: r.last_response_ms,
  last_error: r.last_error,
  next_attempt_at: r.status === 'pending' ? iso(r.next_attempt_at) : null,
  replay_of: r.replay_of,
  created_at: iso(r.created_at)!,
  delivered_at: iso(r.delivered_at),
});

/**
 * A hub's webhook endpoints, managed by its admins: create (the secret is answered once),
 * change, rotate the secret (the previous one keeps signing for WEBHOOK_SECRET_OVERLAP_MS),
 * delete; the delivery log; replays of one delivery or of a time range.
 */
@Injectable()
export class WebhookEndpointsService {
  private readonly box: SecretBox;
  private readonly guard: DestinationGuard;

  constructor(
    @Inject(MikroORM) private readonly orm: MikroORM,
    @Inject(NotificationsConfig) private readonly config: NotificationsConfig,
  ) {
    this.box = new SecretBox(config.NOTIFICATIONS_SECRET_KEY);
    this.guard = new DestinationGuard(config.WEBHOOK_ALLOWED_PRIVATE_CIDRS);
  }

  private checkAdmin(user: AuthenticatedUser, hubId: string): void {
    if (!user.roles.includes('admin') || !canAccessHub(user, hubId)) {
      throw new WebhookAdminRequiredError();
    }
  }

  /** Addresses are refused here already; names are resolved and checked at every delivery. */
  private checkUrl(url: string): void {
    try {
      this.guard.checkLiteral(new URL(url));
    } catch (err) {
      if (err instanceof DestinationRefusedError)
        throw new WebhookDestinationRefusedError(err.message);
      throw err;
    }
  }

  async create(
    user: AuthenticatedUser,
    hubId: string,
    dto: CreateWebhookEndpointDto,
  ): Promise<WebhookEndpointWithSecretView> {
    this.checkAdmin(user, hubId);
    this.checkUrl(dto.url);
    const id = randomUUID();
    const secret = newWebhookSecret();
    const row = await queryOne<EndpointRow>(
      this.orm.em.fork(),
      `insert into notifications.webhook_endpoints
         (id, hub_id, url, event_types, description, secret, created_by)
       values (?, ?, ?, ?::text[], ?, ?, ?) returning ${ENDPOINT_COLUMNS}`,
      [
        id,
        hubId,
        dto.url,
        pgArray(dto.event_types),
        dto.description ?? null,
        this.box.seal(secret, id),
        user.id,
      ],
    );
    return { ...endpointView(row!), secret };
  }

  async list(user: AuthenticatedUser, hubId: string): Promise<WebhookEndpointView[]> {
    this.checkAdmin(user, hubId);
    const rows = await query<EndpointRow>(
      this.orm.em.fork(),
      `select ${ENDPOINT_COLUMNS} from notifications.webhook_endpoints
       where hub_id = ? order by created_at desc, id desc limit 500`,
      [hubId],
    );
    return rows.map(endpointView);
  }

  async get(user: AuthenticatedUser, hubId: string, id: string): Promise<WebhookEndpointView> {
    this.checkAdmin(user, hubId);
    return endpointView(await this.find(hubId, id));
  }

  private async find(hubId: string, id: string): Promise<EndpointRow> {
    const row = await queryOne<EndpointRow>(
      this.orm.em.fork(),
      `select ${ENDPOINT_COLUMNS} from notifications.webhook_endpoints where id = ? and hub_id = ?`,
      [id, hubId],
    );
    if (!row) throw new WebhookEndpointNotFoundError(id);
    return row;
  }

  async update(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
    dto: UpdateWebhookEndpointDto,
  ): Promise<WebhookEndpointView> {
    this.checkAdmin(user, hubId);
    if (dto.url !== undefined) this.checkUrl(dto.url);
    const row = await queryOne<EndpointRow>(
      this.orm.em.fork(),
      `update notifications.webhook_endpoints set
         url = coalesce(?, url),
         event_types = coalesce(?::text[], event_types),
         description = coalesce(?, description),
         status = coalesce(?, status),
         disabled_at = case when ? = 'active' then null else disabled_at end,
         disabled_reason = case when ? = 'active' then null
                                when ? = 'disabled' then 'disabled by an admin'
                                else disabled_reason end,
         updated_at = now()
       where id = ? and hub_id = ? returning ${ENDPOINT_COLUMNS}`,
      [
        dto.url ?? null,
        dto.event_types ? pgArray(dto.event_types) : null,
        dto.description ?? null,
        dto.status ?? null,
        dto.status ?? null,
        dto.status ?? null,
        dto.status ?? null,
        id,
        hubId,
      ],
    );
    if (!row) throw new WebhookEndpointNotFoundError(id);
    return endpointView(row);
  }

  async remove(user: AuthenticatedUser, hubId: string, id: string): Promise<void> {
    this.checkAdmin(user, hubId);
    const rows = await query(
      this.orm.em.fork(),
      'delete from notifications.webhook_endpoints where id = ? and hub_id = ? returning id',
      [id, hubId],
    );
    if (rows.length === 0) throw new WebhookEndpointNotFoundError(id);
  }

  /** A new secret; the current one becomes the previous and signs too until the overlap ends. */
  async rotateSecret(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
  ): Promise<WebhookEndpointWithSecretView> {
    this.checkAdmin(user, hubId);
    const secret = newWebhookSecret();
    const row = await queryOne<EndpointRow>(
      this.orm.em.fork(),
      `update notifications.webhook_endpoints set previous_secret = secret, secret = ?,
         previous_secret_until = now() + make_interval(secs => ?), updated_at = now()
       where id = ? and hub_id = ? returning ${ENDPOINT_COLUMNS}`,
      [this.box.seal(secret, id), this.config.WEBHOOK_SECRET_OVERLAP_MS / 1000, id, hubId],
    );
    if (!row) throw new WebhookEndpointNotFoundError(id);
    return { ...endpointView(row), secret };
  }

  async deliveries(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
    q: DeliveryQueryDto,
  ): Promise<Page<WebhookDeliveryView>> {
    this.checkAdmin(user, hubId);
    await this.find(hubId, id);
    const limit = q.limit ?? 50;
    const cursor = decodeCursor(q.cursor);
    const rows = await query<DeliveryRow>(
      this.orm.em.fork(),
      `select ${DELIVERY_COLUMNS} from notifications.webhook_deliveries
       where endpoint_id = ? ${q.status ? 'and status = ?' : ''}
         ${cursor ? 'and (created_at, id) < (?::timestamptz, ?::uuid)' : ''}
       order by created_at desc, id desc limit ?`,
      [id, ...(q.status ? [q.status] : []), ...(cursor ? [cursor.at, cursor.id] : []), limit + 1],
    );
    return toPage(rows, limit, (r) => ({ at: r.cursor_at, id: r.id }), deliveryView);
  }

  async delivery(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryDetailView> {
    this.checkAdmin(user, hubId);
    await this.find(hubId, id);
    const em = this.orm.em.fork();
    const row = await queryOne<DeliveryRow>(
      em,
      `select ${DELIVERY_COLUMNS} from notifications.webhook_deliveries where id = ? and endpoint_id = ?`,
      [deliveryId, id],
    );
    if (!row) throw new WebhookDeliveryNotFoundError(deliveryId);
    const attempts = await query<{
      attempted_at: Date;
      status_code: number | null;
      response_ms: number;
      error: string | null;
    }>(
      em,
      `select attempted_at, status_code, response_ms, error from notifications.webhook_attempts
       where delivery_id = ? order by id`,
      [deliveryId],
    );
    return {
      ...deliveryView(row),
      attempts_log: attempts.map((a) => ({ ...a, attempted_at: iso(a.attempted_at)! })),
    };
  }

  /** Queues the delivery's event again (a new delivery with the same `webhook-id`). */
  async replay(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
    deliveryId: string,
  ): Promise<WebhookDeliveryView> {
    this.checkAdmin(user, hubId);
    await this.find(hubId, id);
    const row = await queryOne<DeliveryRow>(
      this.orm.em.fork(),
      `insert into notifications.webhook_deliveries
         (endpoint_id, event_id, event_type, payload, occurred_at, replay_of)
       select endpoint_id, event_id, event_type, payload, occurred_at, id
       from notifications.webhook_deliveries where id = ? and endpoint_id = ?
       returning ${DELIVERY_COLUMNS}`,
      [deliveryId, id],
    );
    if (!row) throw new WebhookDeliveryNotFoundError(deliveryId);
    return deliveryView(row);
  }

  /** Queues again every original delivery of the endpoint created in [from, to). */
  async replayRange(
    user: AuthenticatedUser,
    hubId: string,
    id: string,
    from: string,
    to: string,
  ): Promise<number> {
    this.checkAdmin(user, hubId);
    await this.find(hubId, id);
    if (!(new Date(from) < new Date(to))) throw new ReplayRangeInvalidError();
    return this.orm.em.fork().transactional(async (em) => {
      const range = `from notifications.webhook_deliveries
        where endpoint_id = ? and replay_of is null and created_at >= ?::timestamptz and created_at < ?::timestamptz`;
      const [{ n }] = await query<{ n: number }>(em, `select count(*)::int as n ${range}`, [
        id,
        from,
        to,
      ]);
      if (n > MAX_REPLAY) throw new ReplayRangeTooLargeError(n, MAX_REPLAY);
      const rows = await query(
        em,
        `insert into notifications.webhook_deliveries
           (endpoint_id, event_id, event_type, payload, occurred_at, replay_of)
         select endpoint_id, event_id, event_type, payload, occurred_at, id ${range}
         returning id`,
        [id, from, to],
      );
      return rows.length;
    });
  }
}
