import { Migration } from '@mikro-orm/migrations';
import { messagingTablesSql } from '@ihf/messaging';

const S = '"ingestion"';

/**
 * The ingestion schema: the seed's hubs, widgets, widget_versions, interaction_events (with its
 * append-only trigger), envelope_emission_contracts, interaction_reporting_contracts and
 * widget_adapter_specs, re-homed, plus:
 * - hub_api_keys, replacing the seed's plain-text `hubs.api_key` (SHA-256 of the key, prefix in
 *   clear, several active per hub, revocable);
 * - on interaction_events: `hub_id`, `widget_version` and `received_at`; the event id has no
 *   default (the client chooses it, so a retry is recognised as a duplicate forever);
 * - validation rules on reporting contracts (data, interpreted by the rule evaluator);
 * - quarantined_events for refused events;
 * - status CHECKs for the lifecycles the seed only named in comments;
 * - the outbox and inbox of `@ihf/messaging`.
 */
export class InitIngestion extends Migration {
  override up(): void {
    this.addSql(`create table ${S}.hubs (
      id uuid primary key default gen_random_uuid(),
      slug text not null unique,
      name text not null,
      domain text not null,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint hubs_slug_format check (slug ~ '^[a-z0-9][a-z0-9-]{0,99}$')
    )`);

    this.addSql(`create table ${S}.hub_api_keys (
      id uuid primary key,
      hub_id uuid not null references ${S}.hubs (id) on delete cascade,
      prefix text not null unique,
      key_hash text not null,
      label text,
      created_by uuid,
      created_at timestamptz not null default now(),
      last_used_at timestamptz,
      revoked_at timestamptz,
      constraint hub_api_keys_hash_format check (key_hash ~ '^[0-9a-f]{64}$')
    )`);
    this.addSql(`create index hub_api_keys_hub_id_idx on ${S}.hub_api_keys (hub_id)`);

    this.addSql(`create table ${S}.envelope_emission_contracts (
      id uuid primary key default gen_random_uuid(),
      contract_version text not null unique,
      required_attributes jsonb not null,
      optional_attributes jsonb not null default '[]',
      validation_rules jsonb not null default '[]',
      description text,
      status text not null default 'active',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint envelope_emission_contracts_status_check
        check (status in ('draft', 'active', 'superseded', 'deprecated'))
    )`);
    this.addSql(
      `create index envelope_emission_contracts_status_idx on ${S}.envelope_emission_contracts (status)`,
    );
    // At most one active contract of each kind: the one the server enforces.
    this.addSql(`create unique index envelope_emission_contracts_one_active
      on ${S}.envelope_emission_contracts ((true)) where status = 'active'`);

    this.addSql(`create table ${S}.interaction_reporting_contracts (
      id uuid primary key default gen_random_uuid(),
      contract_version text not null unique,
      endpoint_path text not null,
      accepted_event_types jsonb not null,
      required_fields jsonb not null,
      auth_scheme text not null default 'bearer',
      validation_rules jsonb not null default '[]',
      description text,
      status text not null default 'active',
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint interaction_reporting_contracts_status_check
        check (status in ('draft', 'active', 'superseded', 'deprecated'))
    )`);
    this.addSql(
      `create index interaction_reporting_contracts_status_idx on ${S}.interaction_reporting_contracts (status)`,
    );
    this.addSql(`create unique index interaction_reporting_contracts_one_active
      on ${S}.interaction_reporting_contracts ((true)) where status = 'active'`);

    this.addSql(`create table ${S}.widget_adapter_specs (
      id uuid primary key default gen_random_uuid(),
      name text not null unique,
      framework text not null,
      version text not null,
      envelope_contract_id uuid references ${S}.envelope_emission_contracts (id),
      reporting_contract_id uuid references ${S}.interaction_reporting_contracts (id),
      status text not null default 'draft',
      notes text,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint widget_adapter_specs_status_check
        check (status in ('draft', 'active', 'deprecated'))
    )`);
    this.addSql(
      `create index widget_adapter_specs_framework_idx on ${S}.widget_adapter_specs (framework)`,
    );
    this.addSql(
      `create index widget_adapter_specs_status_idx on ${S}.widget_adapter_specs (status)`,
    );

    this.addSql(`create table ${S}.widgets (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null references ${S}.hubs (id) on delete restrict,
      name text not null,
      widget_type text not null,
      capability_ref text,
      view_context text,
      policy_scope text not null default 'internal',
      status text not null default 'active',
      version int not null default 1,
      adapter_spec_id uuid references ${S}.widget_adapter_specs (id),
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint widgets_status_check check (status in ('active', 'deprecated', 'retired')),
      constraint widgets_version_positive check (version >= 1)
    )`);
    this.addSql(`create index widgets_hub_id_idx on ${S}.widgets (hub_id, created_at, id)`);
    this.addSql(`create index widgets_adapter_spec_id_idx on ${S}.widgets (adapter_spec_id)`);

    this.addSql(`create table ${S}.widget_versions (
      id uuid primary key default gen_random_uuid(),
      widget_id uuid not null references ${S}.widgets (id) on delete cascade,
      version int not null,
      schema_snapshot jsonb not null,
      created_at timestamptz not null default now(),
      unique (widget_id, version)
    )`);

    this.addSql(`create table ${S}.interaction_events (
      id uuid primary key not null,
      hub_id uuid not null references ${S}.hubs (id) on delete restrict,
      widget_id uuid not null references ${S}.widgets (id) on delete cascade,
      widget_version int not null,
      event_type text not null,
      actor_id uuid,
      actor_type text not null default 'user',
      view_context_ref text,
      metadata jsonb not null default '{}',
      occurred_at timestamptz not null default now(),
      received_at timestamptz not null default now()
    )`);
    // The seed's two indexes; the widget one is widened to serve time-range pages and
    // per-type counts of a widget from the index alone.
    this.addSql(`create index interaction_events_widget_id_idx
      on ${S}.interaction_events (widget_id, occurred_at, id) include (event_type)`);
    this.addSql(
      `create index interaction_events_occurred_at_idx on ${S}.interaction_events (occurred_at desc)`,
    );
    this.addSql(
      `create index interaction_events_hub_id_idx on ${S}.interaction_events (hub_id, occurred_at, id)`,
    );
    this.addSql(`create function ${S}.prevent_interaction_event_mutation()
      returns trigger language plpgsql as $$
      begin
        raise exception 'interaction_events is append-only: UPDATE and DELETE are not permitted';
      end $$`);
    this.addSql(`create trigger interaction_events_no_update
      before update on ${S}.interaction_events
      for each row execute function ${S}.prevent_interaction_event_mutation()`);
    this.addSql(`create trigger interaction_events_no_delete
      before delete on ${S}.interaction_events
      for each row execute function ${S}.prevent_interaction_event_mutation()`);
    // TRUNCATE bypasses row triggers; append-only means that too.
    this.addSql(`create trigger interaction_events_no_truncate
      before truncate on ${S}.interaction_events
      for each statement execute function ${S}.prevent_interaction_event_mutation()`);

    this.addSql(`create table ${S}.quarantined_events (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null references ${S}.hubs (id) on delete cascade,
      kind text not null default 'interaction_event',
      event_id uuid,
      widget_id uuid,
      raw jsonb not null,
      raw_truncated boolean not null default false,
      reason_code text not null,
      rule_id text not null,
      contract_kind text,
      contract_version text,
      detail text,
      received_at timestamptz not null default now(),
      replay_count int not null default 0,
      replayed_at timestamptz,
      replay_outcome text,
      constraint quarantined_events_kind_check check (kind in ('interaction_event', 'annotation')),
      constraint quarantined_events_outcome_check
        check (replay_outcome is null or replay_outcome in ('accepted', 'duplicate'))
    )`);
    this.addSql(`create index quarantined_events_hub_idx
      on ${S}.quarantined_events (hub_id, received_at, id) where replayed_at is null`);
    this.addSql(`create index quarantined_events_reason_idx
      on ${S}.quarantined_events (hub_id, reason_code) where replayed_at is null`);
    this.addSql(
      `create index quarantined_events_received_at_idx on ${S}.quarantined_events (received_at)`,
    );
    // A retried batch does not quarantine the same refusal twice.
    this.addSql(`create unique index quarantined_events_once
      on ${S}.quarantined_events (hub_id, event_id, rule_id)
      where event_id is not null and replayed_at is null`);

    for (const sql of messagingTablesSql('ingestion')) this.addSql(sql);
  }
}
