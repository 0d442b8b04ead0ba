import { Migration } from '@mikro-orm/migrations';
import { messagingTablesSql } from '@ihf/messaging';

/**
 * The identity schema: users as in the seed (email unique, password_hash, name, locked_at,
 * failed_login_attempts) plus roles, hub memberships and deactivation; refresh tokens; agent
 * clients; the outbox and inbox of `@ihf/messaging`.
 */
export class InitIdentity extends Migration {
  override up(): void {
    const roles = `array['admin','triager','reviewer','governor','viewer','agent']::text[]`;
    this.addSql(`create table "identity".users (
      id uuid primary key default gen_random_uuid(),
      email text not null unique,
      password_hash text not null,
      name text not null,
      roles text[] not null default '{}',
      hub_ids uuid[] not null default '{}',
      locked_at timestamptz default null,
      failed_login_attempts int not null default 0,
      deactivated_at timestamptz default null,
      last_login_at timestamptz default null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint users_email_normalised check (email = lower(btrim(email)) and email <> ''),
      constraint users_roles_known check (roles <@ ${roles}),
      constraint users_failed_attempts_non_negative check (failed_login_attempts >= 0)
    )`);
    this.addSql(`create index users_roles_idx on "identity".users using gin (roles)`);
    this.addSql(`create index users_hub_ids_idx on "identity".users using gin (hub_ids)`);

    this.addSql(`create table "identity".refresh_tokens (
      id uuid primary key,
      family_id uuid not null,
      user_id uuid not null references "identity".users (id) on delete cascade,
      token_hash text not null unique,
      created_at timestamptz not null default now(),
      expires_at timestamptz not null,
      used_at timestamptz default null,
      revoked_at timestamptz default null
    )`);
    this.addSql(`create index refresh_tokens_family_idx on "identity".refresh_tokens (family_id)`);
    this.addSql(`create index refresh_tokens_user_idx on "identity".refresh_tokens (user_id)`);

    this.addSql(`create table "identity".agent_clients (
      id uuid primary key,
      name text not null,
      secret_prefix text not null unique,
      secret_hash text not null,
      hub_ids uuid[] not null default '{}',
      created_by uuid references "identity".users (id) on delete set null,
      created_at timestamptz not null default now(),
      last_used_at timestamptz default null,
      revoked_at timestamptz default null
    )`);

    for (const sql of messagingTablesSql('identity')) this.addSql(sql);
  }
}
