import { Migration } from '@mikro-orm/migrations';
import {
  DECISION_OUTCOMES,
  REQUIREMENT_CHANGES,
  REQUIREMENT_STATUSES,
  WORK_ITEM_STATES,
  WORK_ITEM_SYSTEMS,
} from '@ihf/contracts';
import { consumerFailuresSql, messagingTablesSql } from '@ihf/messaging';

/**
 * now() to the millisecond, for the columns lists are paged by: a keyset cursor carries a
 * JavaScript Date (milliseconds), so the stored value must compare equal to it.
 */
const MS_NOW = `date_trunc('milliseconds', now())`;

/** `('a','b')` of a value set from libs/contracts, for a CHECK. */
const oneOf = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(',')})`;

/**
 * The governance schema: the seed's phase 3 tables (requirements, decision_records,
 * policy_references, implementation_change_references) re-homed in `governance`, plus what the
 * seed lacked: hub scoping, the requirement audit, supersession, work-item states and webhooks.
 *
 * - References to other services' rows (candidates, widgets, users) are plain UUID columns;
 *   the read models `candidates`, `widgets` and `principals` are kept from their events.
 * - `requirements.source_candidate_id` is unique: a candidate is promoted at most once.
 * - `decision_records` is append-only (a new decision supersedes one, `supersedes_id` unique so
 *   a decision is superseded at most once); `requirement_history` is the append-only audit of
 *   every requirement change. Both refuse UPDATE, DELETE and TRUNCATE (triggers, as the seed does
 *   for its audit tables). Requirements are never deleted, so the seed's `on delete set null`
 *   from decisions to requirements becomes `restrict`.
 */
export class InitGovernance extends Migration {
  override up(): void {
    this.addSql(`create table "governance".widgets (
      id uuid primary key,
      hub_id uuid not null,
      name text,
      widget_type text,
      status text not null,
      version int not null,
      synced_at timestamptz not null default now()
    )`);

    this.addSql(`create table "governance".principals (
      user_id uuid primary key,
      name text,
      roles text[] not null default '{}',
      hub_ids uuid[] not null default '{}',
      as_of timestamptz,
      membership_version int,
      status_version int,
      deactivated_at timestamptz,
      updated_at timestamptz not null default now()
    )`);

    // Feedback's candidates as its events describe them; `version` orders the status changes.
    this.addSql(`create table "governance".candidates (
      id uuid primary key,
      hub_id uuid not null,
      title text,
      description text,
      status text not null,
      version int not null,
      source_widget_id uuid,
      source_thread_id uuid,
      source_annotation_id uuid,
      source_proposal_id uuid,
      requirement_id uuid,
      created_at timestamptz,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create index candidates_hub_idx on "governance".candidates (hub_id, status)`);

    this.addSql(`create table "governance".requirements (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      title text not null,
      description text not null,
      source_candidate_id uuid not null,
      source_widget_id uuid,
      status text not null default 'active',
      superseded_by_id uuid references "governance".requirements (id) on delete restrict,
      version int not null default 1,
      created_by uuid,
      created_at timestamptz not null default ${MS_NOW},
      updated_at timestamptz not null default now(),
      constraint requirements_status_known check (status in ${oneOf(REQUIREMENT_STATUSES)}),
      constraint requirements_title_not_blank check (btrim(title) <> ''),
      constraint requirements_superseded_by
        check ((status = 'superseded') = (superseded_by_id is not null) and superseded_by_id is distinct from id),
      constraint requirements_source_candidate_id_key unique (source_candidate_id)
    )`);
    this.addSql(
      `create index requirements_hub_idx on "governance".requirements (hub_id, created_at desc, id desc)`,
    );
    this.addSql(`create index requirements_superseded_by_idx on "governance".requirements
      (superseded_by_id) where superseded_by_id is not null`);

    this.addSql(`create table "governance".requirement_history (
      id uuid primary key default gen_random_uuid(),
      requirement_id uuid not null references "governance".requirements (id) on delete restrict,
      version int not null,
      change text not null,
      title text not null,
      description text not null,
      status text not null,
      superseded_by_id uuid,
      notes text,
      changed_by uuid,
      changed_at timestamptz not null default now(),
      constraint requirement_history_change_known
        check (change in ${oneOf(REQUIREMENT_CHANGES)}),
      constraint requirement_history_status_known check (status in ${oneOf(REQUIREMENT_STATUSES)}),
      constraint requirement_history_version_key unique (requirement_id, version)
    )`);

    this.addSql(`create table "governance".decision_records (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      title text not null,
      rationale text not null,
      outcome text not null,
      requirement_id uuid references "governance".requirements (id) on delete restrict,
      candidate_id uuid,
      widget_id uuid,
      supersedes_id uuid references "governance".decision_records (id) on delete restrict,
      decided_by uuid,
      decided_at timestamptz not null default ${MS_NOW},
      notes text,
      created_at timestamptz not null default now(),
      search tsvector generated always as
        (to_tsvector('simple', title || ' ' || rationale || ' ' || coalesce(notes, ''))) stored,
      constraint decision_records_outcome_known check (outcome in ${oneOf(DECISION_OUTCOMES)}),
      constraint decision_records_title_not_blank check (btrim(title) <> ''),
      constraint decision_records_subject check (requirement_id is not null or candidate_id is not null),
      constraint decision_records_not_own_successor check (supersedes_id is distinct from id),
      constraint decision_records_supersedes_key unique (supersedes_id)
    )`);
    // The seed's indexes, then the decision log's: hub (+ one filter) by time, keyset order.
    this.addSql(
      `create index decision_records_outcome_idx on "governance".decision_records (outcome)`,
    );
    this.addSql(`create index decision_records_requirement_id_idx on "governance".decision_records
      (requirement_id, decided_at, id) where requirement_id is not null`);
    this.addSql(`create index decision_records_candidate_id_idx on "governance".decision_records
      (candidate_id, decided_at, id) where candidate_id is not null`);
    this.addSql(`create index decision_records_log_idx on "governance".decision_records
      (hub_id, decided_at desc, id desc)`);
    this.addSql(`create index decision_records_log_outcome_idx on "governance".decision_records
      (hub_id, outcome, decided_at desc, id desc)`);
    this.addSql(`create index decision_records_log_widget_idx on "governance".decision_records
      (widget_id, decided_at desc, id desc) where widget_id is not null`);
    // A governor decides in several hubs: the hub first, so one hub's page is a range.
    this.addSql(`create index decision_records_log_decider_idx on "governance".decision_records
      (hub_id, decided_by, decided_at desc, id desc) where decided_by is not null`);
    this.addSql(
      `create index decision_records_search_idx on "governance".decision_records using gin (search)`,
    );

    this.addSql(`create table "governance".policy_references (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      decision_id uuid not null references "governance".decision_records (id) on delete cascade,
      policy_scope text not null,
      constraint_note text,
      source_proposal_id uuid unique,
      created_by uuid,
      created_at timestamptz not null default now(),
      constraint policy_references_scope_not_blank check (btrim(policy_scope) <> '')
    )`);
    this.addSql(`create index policy_references_decision_id_idx on "governance".policy_references
      (decision_id)`);
    this.addSql(`create index policy_references_hub_scope_idx on "governance".policy_references
      (hub_id, policy_scope)`);

    this.addSql(`create table "governance".implementation_change_references (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      decision_id uuid not null references "governance".decision_records (id) on delete cascade,
      work_item_ref text not null,
      system text not null default 'github',
      url text not null,
      tracker_key text,
      state text not null default 'unknown',
      state_changed_at timestamptz,
      version int not null default 1,
      linked_by uuid,
      linked_at timestamptz not null default now(),
      constraint impl_change_refs_system_known check (system in ${oneOf(WORK_ITEM_SYSTEMS)}),
      constraint impl_change_refs_state_known check (state in ${oneOf(WORK_ITEM_STATES)}),
      constraint impl_change_refs_once unique (decision_id, system, work_item_ref)
    )`);
    this.addSql(`create index impl_change_refs_decision_id_idx
      on "governance".implementation_change_references (decision_id)`);
    // The webhook finds the linked items of `owner/repo#n` in a hub.
    this.addSql(`create index impl_change_refs_tracker_idx
      on "governance".implementation_change_references (hub_id, tracker_key)
      where tracker_key is not null`);

    // Drafts from accepted impl_proposal proposals: what to file, not yet a tracker item.
    this.addSql(`create table "governance".work_item_drafts (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      decision_id uuid references "governance".decision_records (id) on delete cascade,
      requirement_id uuid references "governance".requirements (id) on delete cascade,
      title text not null,
      description text not null,
      system text,
      source_proposal_id uuid not null unique,
      created_by uuid,
      created_at timestamptz not null default now(),
      constraint work_item_drafts_system_known check (system is null or system in ${oneOf(WORK_ITEM_SYSTEMS)}),
      constraint work_item_drafts_target check (decision_id is not null or requirement_id is not null)
    )`);
    this.addSql(`create index work_item_drafts_decision_idx on "governance".work_item_drafts
      (decision_id) where decision_id is not null`);
    this.addSql(`create index work_item_drafts_requirement_idx on "governance".work_item_drafts
      (requirement_id) where requirement_id is not null`);

    // Per-hub tracker settings; the webhook secret is stored encrypted and never returned.
    this.addSql(`create table "governance".hub_settings (
      hub_id uuid primary key,
      github_webhook_secret bytea,
      jira_base_url text,
      gitlab_base_url text,
      linear_base_url text,
      azure_boards_base_url text,
      updated_by uuid,
      updated_at timestamptz not null default now()
    )`);

    // GitHub delivery ids already processed: a replayed delivery changes nothing.
    this.addSql(`create table "governance".webhook_deliveries (
      delivery_id text primary key,
      hub_id uuid not null,
      event text not null,
      items_changed int not null default 0,
      received_at timestamptz not null default now()
    )`);
    this.addSql(
      `create index webhook_deliveries_received_idx on "governance".webhook_deliveries (received_at)`,
    );

    this.addSql(`create function "governance".prevent_audit_mutation() returns trigger as $$
      begin
        raise exception '% is append-only: % is not permitted', tg_table_name, tg_op;
      end;
    $$ language plpgsql`);
    for (const table of ['requirement_history', 'decision_records']) {
      this.addSql(`create trigger ${table}_no_update before update on "governance".${table}
        for each row execute function "governance".prevent_audit_mutation()`);
      this.addSql(`create trigger ${table}_no_delete before delete on "governance".${table}
        for each row execute function "governance".prevent_audit_mutation()`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on "governance".${table}
        for each statement execute function "governance".prevent_audit_mutation()`);
    }

    for (const sql of messagingTablesSql('governance')) this.addSql(sql);
    for (const sql of consumerFailuresSql('governance')) this.addSql(sql);
  }
}
