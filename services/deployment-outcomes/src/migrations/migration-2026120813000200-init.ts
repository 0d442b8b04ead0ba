import { Migration } from '@mikro-orm/migrations';
import { AFFECTED_WIDGET_SOURCES, DEPLOYMENT_RECORDERS, OUTCOME_PHASES } from '@ihf/contracts';
import { consumerFailuresSql, messagingTablesSql } from '@ihf/messaging';

/** `('a','b')` of a value set from libs/contracts, for a CHECK. */
const oneOf = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(',')})`;

const S = '"deployment"';

/**
 * The deployment schema: the seed's phase 4 tables (deployment_records, outcome_signals,
 * change_evaluations) re-homed in `deployment`, plus what the seed lacked: hub scoping, the
 * pipeline's run id (the hook's idempotency key), before/after windows, affected widgets with
 * where each came from, and the rollups the signals are computed from.
 *
 * - References to other services' rows (decisions, requirements, widgets, users) are plain UUID
 *   columns; the read models below are kept from governance, feedback and ingestion events.
 * - `outcome_signals` is append-only (UPDATE, DELETE and TRUNCATE raise, as in the seed).
 * - `change_evaluations.deployment_id` is unique: one evaluation per deployment.
 * - Rollups carry no row per event: counts per minute, and a watermark per feed (the stream
 *   sequence applied last, moved in the transaction of each batch).
 */
export class InitDeployment extends Migration {
  override up(): void {
    // --- read models ---
    this.addSql(`create table ${S}.widgets (
      id uuid primary key,
      hub_id uuid not null,
      name text,
      version int not null,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create table ${S}.candidates (
      id uuid primary key,
      hub_id uuid not null,
      title text,
      source_widget_id uuid,
      source_thread_id uuid,
      source_annotation_id uuid,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create table ${S}.requirements (
      id uuid primary key,
      hub_id uuid not null,
      candidate_id uuid not null,
      title text,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create table ${S}.decisions (
      id uuid primary key,
      hub_id uuid not null,
      title text not null,
      outcome text not null,
      requirement_id uuid,
      candidate_id uuid,
      decided_at timestamptz not null,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create table ${S}.work_items (
      id uuid primary key,
      hub_id uuid not null,
      decision_id uuid not null,
      system text not null,
      work_item_ref text not null,
      synced_at timestamptz not null default now()
    )`);
    this.addSql(`create index work_items_ref_idx on ${S}.work_items (hub_id, work_item_ref)`);

    // --- deployments ---
    this.addSql(`create table ${S}.deployment_records (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      decision_id uuid not null,
      requirement_id uuid,
      work_item_ref text,
      version_ref text not null,
      environment text not null,
      deployed_at timestamptz not null,
      deployed_by uuid,
      recorded_by_kind text not null,
      pipeline_run_id text,
      notes text,
      before_window_seconds int not null,
      after_window_seconds int not null,
      ratios jsonb not null default '[]',
      final_at timestamptz not null,
      finalized_at timestamptz,
      last_measured_at timestamptz,
      created_at timestamptz not null default now(),
      constraint deployment_records_environment_format check (environment ~ '^[a-z][a-z0-9_-]{0,49}$'),
      constraint deployment_records_recorder_known check (recorded_by_kind in ${oneOf(DEPLOYMENT_RECORDERS)}),
      constraint deployment_records_windows_positive
        check (before_window_seconds > 0 and after_window_seconds > 0),
      constraint deployment_records_version_ref_not_blank check (btrim(version_ref) <> ''),
      constraint deployment_records_pipeline_run_key unique (hub_id, pipeline_run_id)
    )`);
    this.addSql(
      `create index deployment_records_decision_idx on ${S}.deployment_records (decision_id)`,
    );
    this.addSql(`create index deployment_records_hub_idx on ${S}.deployment_records
      (hub_id, deployed_at desc)`);
    this.addSql(`create index deployment_records_open_idx on ${S}.deployment_records (final_at)
      where finalized_at is null`);

    this.addSql(`create table ${S}.affected_widgets (
      deployment_id uuid not null references ${S}.deployment_records (id) on delete cascade,
      widget_id uuid not null,
      source text not null,
      via text not null,
      primary key (deployment_id, widget_id, source),
      constraint affected_widgets_source_known check (source in ${oneOf(AFFECTED_WIDGET_SOURCES)})
    )`);

    this.addSql(`create table ${S}.outcome_signals (
      id uuid primary key default gen_random_uuid(),
      deployment_id uuid not null references ${S}.deployment_records (id) on delete restrict,
      widget_id uuid,
      measurement_id uuid,
      phase text not null,
      signal_type text not null,
      value numeric,
      before_value numeric,
      after_value numeric,
      relative_change numeric,
      ci_low numeric,
      ci_high numeric,
      p_value numeric,
      test text,
      not_enough_data boolean not null default false,
      details jsonb not null default '{}',
      recorded_by uuid,
      observed_at timestamptz not null default now(),
      created_at timestamptz not null default now(),
      constraint outcome_signals_phase_known check (phase in ${oneOf(OUTCOME_PHASES)}),
      constraint outcome_signals_measured
        check ((phase = 'manual') = (measurement_id is null))
    )`);
    this.addSql(`create index outcome_signals_deployment_idx on ${S}.outcome_signals
      (deployment_id, observed_at desc)`);
    this.addSql(`create unique index outcome_signals_one_final_idx on ${S}.outcome_signals
      (deployment_id, widget_id, signal_type) where phase = 'final'`);
    this.addSql(`create function ${S}.prevent_outcome_signal_mutation() returns trigger
      language plpgsql as $$
      begin
        raise exception 'outcome_signals is append-only: % is not permitted', tg_op
          using errcode = 'restrict_violation';
      end $$`);
    this.addSql(`create trigger outcome_signals_no_update before update or delete
      on ${S}.outcome_signals for each row execute function ${S}.prevent_outcome_signal_mutation()`);
    this.addSql(`create trigger outcome_signals_no_truncate before truncate
      on ${S}.outcome_signals for each statement execute function ${S}.prevent_outcome_signal_mutation()`);

    this.addSql(`create table ${S}.change_evaluations (
      id uuid primary key default gen_random_uuid(),
      deployment_id uuid not null references ${S}.deployment_records (id) on delete restrict,
      decision_id uuid not null,
      score smallint not null,
      rationale text not null,
      evaluated_by uuid,
      evaluated_at timestamptz not null default now(),
      constraint change_evaluations_score_range check (score between 1 and 5),
      constraint change_evaluations_rationale_not_blank check (btrim(rationale) <> ''),
      constraint change_evaluations_deployment_key unique (deployment_id)
    )`);

    // --- rollups ---
    this.addSql(`create table ${S}.interaction_rollups (
      hub_id uuid not null,
      widget_id uuid not null,
      widget_version int not null,
      event_type text not null,
      minute timestamptz not null,
      events bigint not null,
      sessions bigint not null default 0,
      primary key (widget_id, minute, event_type, widget_version)
    )`);
    this.addSql(
      `create index interaction_rollups_hub_idx on ${S}.interaction_rollups (hub_id, minute)`,
    );
    // The same counts per hour, kept in the same transaction: a week-long window reads 168
    // hourly rows per event type and only its partial first and last hours per minute.
    this.addSql(`create table ${S}.interaction_rollups_hourly (
      hub_id uuid not null,
      widget_id uuid not null,
      widget_version int not null,
      event_type text not null,
      hour timestamptz not null,
      events bigint not null,
      primary key (widget_id, hour, event_type, widget_version)
    )`);
    // The distinct sessions seen per rollup row (only where the event carries a session).
    this.addSql(`create table ${S}.interaction_sessions (
      widget_id uuid not null,
      minute timestamptz not null,
      event_type text not null,
      widget_version int not null,
      session text not null,
      primary key (widget_id, minute, event_type, widget_version, session)
    )`);
    this.addSql(`create table ${S}.annotation_rollups (
      hub_id uuid not null,
      widget_id uuid not null,
      widget_version int not null,
      category text not null,
      severity text not null,
      minute timestamptz not null,
      annotations bigint not null,
      primary key (widget_id, minute, category, severity, widget_version)
    )`);
    this.addSql(
      `create index annotation_rollups_hub_idx on ${S}.annotation_rollups (hub_id, minute)`,
    );
    this.addSql(`create table ${S}.rollup_watermarks (
      feed text primary key,
      stream_seq bigint not null default 0,
      applied bigint not null default 0,
      skipped bigint not null default 0,
      updated_at timestamptz not null default now()
    )`);

    for (const sql of messagingTablesSql('deployment')) this.addSql(sql);
    for (const sql of consumerFailuresSql('deployment')) this.addSql(sql);
  }
}
