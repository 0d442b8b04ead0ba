import { Migration } from '@mikro-orm/migrations';
import {
  EMAIL_DELIVERY_STATUSES,
  EMAIL_MODES,
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
} from '@ihf/contracts';
import { consumerFailuresSql, messagingTablesSql } from '@ihf/messaging';

/** `('a','b')` of a value set from libs/contracts, for a CHECK. */
const oneOf = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(',')})`;

/** now() to the millisecond, for the columns lists are paged by. */
const MS_NOW = `date_trunc('milliseconds', now())`;

/**
 * The notifications schema.
 *
 * - Read models from other services' events: `principals` (identity: address, roles, hubs),
 *   `candidates`, `annotations` (feedback: who gave the feedback behind a candidate) and
 *   `requirements` (governance: the candidate a requirement came from).
 * - People: `inbox_items` and `email_deliveries`, each unique per (event, user), so a
 *   redelivered event adds nothing; `email_preferences` per user.
 * - Webhooks: `webhook_endpoints` (secrets sealed with NOTIFICATIONS_SECRET_KEY),
 *   `webhook_deliveries` (one per endpoint and event, plus replays) and `webhook_attempts`
 *   (the delivery log: status and response time of every attempt).
 */
export class InitNotifications extends Migration {
  override up(): void {
    this.addSql(`create table "notifications".principals (
      user_id uuid primary key,
      name text,
      email text,
      roles text[] not null default '{}',
      hub_ids uuid[] not null default '{}',
      membership_version int,
      status_version int,
      deactivated boolean not null default false,
      updated_at timestamptz not null default now()
    )`);
    this.addSql(
      `create index principals_hubs_idx on "notifications".principals using gin (hub_ids)`,
    );

    this.addSql(`create table "notifications".candidates (
      id uuid primary key,
      hub_id uuid not null,
      title text not null,
      created_by uuid,
      source_annotation_id uuid,
      source_thread_id uuid
    )`);
    this.addSql(
      `create index candidates_annotation_idx on "notifications".candidates (source_annotation_id)`,
    );
    this.addSql(
      `create index candidates_thread_idx on "notifications".candidates (source_thread_id)`,
    );

    this.addSql(`create table "notifications".annotations (
      id uuid primary key,
      actor_id uuid,
      thread_id uuid
    )`);
    this.addSql(`create index annotations_thread_idx on "notifications".annotations (thread_id)`);

    this.addSql(`create table "notifications".requirements (
      id uuid primary key,
      hub_id uuid not null,
      candidate_id uuid not null
    )`);

    // Kept from feedback's subscribed/unsubscribed events (issue 16a) once they exist; the
    // followers query reads it already.
    this.addSql(`create table "notifications".candidate_subscribers (
      candidate_id uuid not null,
      user_id uuid not null,
      primary key (candidate_id, user_id)
    )`);

    // Kept from deployment-outcomes' deployment.recorded (issue 13) once it exists: which
    // requirement an outcome measurement is about.
    this.addSql(`create table "notifications".deployments (
      id uuid primary key,
      hub_id uuid not null,
      requirement_id uuid
    )`);

    this.addSql(`create table "notifications".inbox_items (
      id uuid primary key default gen_random_uuid(),
      user_id uuid not null,
      hub_id uuid,
      event_id uuid not null,
      subject text not null,
      title text not null,
      body text not null,
      created_at timestamptz not null default ${MS_NOW},
      read_at timestamptz,
      constraint inbox_items_once unique (event_id, user_id)
    )`);
    this.addSql(
      `create index inbox_items_user_idx on "notifications".inbox_items (user_id, created_at desc, id desc)`,
    );
    this.addSql(
      `create index inbox_items_unread_idx on "notifications".inbox_items (user_id) where read_at is null`,
    );

    this.addSql(`create table "notifications".email_preferences (
      user_id uuid primary key,
      mode text not null,
      updated_at timestamptz not null default now(),
      constraint email_preferences_mode_known check (mode in ${oneOf(EMAIL_MODES)})
    )`);

    this.addSql(`create table "notifications".email_deliveries (
      id uuid primary key default gen_random_uuid(),
      event_id uuid not null,
      user_id uuid not null,
      subject text not null,
      body text not null,
      status text not null default 'pending',
      reason text,
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_error text,
      created_at timestamptz not null default now(),
      sent_at timestamptz,
      constraint email_deliveries_once unique (event_id, user_id),
      constraint email_deliveries_status_known check (status in ${oneOf(EMAIL_DELIVERY_STATUSES)})
    )`);
    this.addSql(
      `create index email_deliveries_due_idx on "notifications".email_deliveries (next_attempt_at) where status = 'pending'`,
    );
    this.addSql(
      `create index email_deliveries_digest_idx on "notifications".email_deliveries (user_id, created_at) where status = 'digest_pending'`,
    );
    this.addSql(
      `create index email_deliveries_sent_idx on "notifications".email_deliveries (user_id, sent_at) where sent_at is not null`,
    );

    this.addSql(`create table "notifications".webhook_endpoints (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      url text not null,
      description text,
      event_types text[] not null,
      status text not null default 'active',
      secret bytea not null,
      previous_secret bytea,
      previous_secret_until timestamptz,
      created_by uuid not null,
      created_at timestamptz not null default ${MS_NOW},
      updated_at timestamptz not null default now(),
      disabled_at timestamptz,
      disabled_reason text,
      constraint webhook_endpoints_status_known check (status in ${oneOf(WEBHOOK_ENDPOINT_STATUSES)})
    )`);
    this.addSql(
      `create index webhook_endpoints_hub_idx on "notifications".webhook_endpoints (hub_id, created_at desc, id desc)`,
    );
    this.addSql(
      `create index webhook_endpoints_types_idx on "notifications".webhook_endpoints using gin (event_types) where status = 'active'`,
    );

    this.addSql(`create table "notifications".webhook_deliveries (
      id uuid primary key default gen_random_uuid(),
      endpoint_id uuid not null references "notifications".webhook_endpoints (id) on delete cascade,
      event_id uuid not null,
      event_type text not null,
      payload jsonb not null,
      occurred_at timestamptz not null,
      status text not null default 'pending',
      attempts int not null default 0,
      next_attempt_at timestamptz not null default now(),
      last_status_code int,
      last_response_ms int,
      last_error text,
      replay_of uuid references "notifications".webhook_deliveries (id) on delete cascade,
      created_at timestamptz not null default ${MS_NOW},
      delivered_at timestamptz,
      constraint webhook_deliveries_status_known check (status in ${oneOf(WEBHOOK_DELIVERY_STATUSES)})
    )`);
    // One original delivery per endpoint and event; replays are further rows.
    this.addSql(
      `create unique index webhook_deliveries_once on "notifications".webhook_deliveries (endpoint_id, event_id) where replay_of is null`,
    );
    this.addSql(
      `create index webhook_deliveries_due_idx on "notifications".webhook_deliveries (next_attempt_at) where status = 'pending'`,
    );
    this.addSql(
      `create index webhook_deliveries_log_idx on "notifications".webhook_deliveries (endpoint_id, created_at desc, id desc)`,
    );

    this.addSql(`create table "notifications".webhook_attempts (
      id bigserial primary key,
      delivery_id uuid not null references "notifications".webhook_deliveries (id) on delete cascade,
      attempted_at timestamptz not null default now(),
      status_code int,
      response_ms int not null,
      error text
    )`);
    this.addSql(
      `create index webhook_attempts_delivery_idx on "notifications".webhook_attempts (delivery_id, id)`,
    );

    for (const sql of messagingTablesSql('notifications')) this.addSql(sql);
    for (const sql of consumerFailuresSql('notifications')) this.addSql(sql);
  }
}
