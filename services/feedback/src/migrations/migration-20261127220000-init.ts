import { Migration } from '@mikro-orm/migrations';
import { messagingTablesSql } from '@ihf/messaging';

const CATEGORIES = `('friction','bug','idea','question','praise')`;
const SEVERITIES = `('low','medium','high','critical')`;
const STATUSES = `('open','in_review','accepted','rejected','deferred','duplicate','promoted')`;
/** Sort key of a severity (critical first when sorted descending). */
const SEVERITY_RANK = (column: string): string =>
  `(case ${column} when 'critical' then 4 when 'high' then 3 when 'medium' then 2 else 1 end)`;

/**
 * The feedback schema: the seed's phase 2 tables (annotation_threads, annotations,
 * requirement_candidates, triage_states, reviewer_assignments) re-homed in `feedback`.
 *
 * - References to other services' rows (widgets, users, requirements, proposals) are plain UUID
 *   columns; `hub_id` is copied from the widget so every query can be scoped by hub.
 * - Foreign keys inside the schema are real, and the composite ones make the database refuse a
 *   reply, a thread member or a candidate source on another widget.
 * - triage_states and reviewer_assignment_audit are append-only (triggers, as the seed does for
 *   its audit tables); annotations can only be retracted or moved between threads.
 * - Read models: widgets (from ingestion's widget events) and principals (identity's users).
 */
export class InitFeedback extends Migration {
  override up(): void {
    this.addSql(`create table "feedback".widgets (
      id uuid primary key,
      hub_id uuid not null,
      name text,
      widget_type text,
      status text not null,
      version int not null,
      synced_at timestamptz not null default now()
    )`);

    this.addSql(`create table "feedback".principals (
      user_id uuid primary key,
      roles text[] not null default '{}',
      hub_ids uuid[] not null default '{}',
      as_of timestamptz not null,
      updated_at timestamptz not null default now()
    )`);

    this.addSql(`create table "feedback".annotation_threads (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      widget_id uuid not null,
      title text not null,
      description text,
      created_by uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      constraint annotation_threads_title_not_blank check (btrim(title) <> ''),
      constraint annotation_threads_id_widget_key unique (id, widget_id)
    )`);
    this.addSql(
      `create index annotation_threads_widget_idx on "feedback".annotation_threads (widget_id, created_at desc)`,
    );
    this.addSql(
      `create index annotation_threads_hub_idx on "feedback".annotation_threads (hub_id, updated_at desc)`,
    );

    this.addSql(`create table "feedback".annotations (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      widget_id uuid not null,
      widget_version int,
      parent_id uuid,
      body text not null,
      category text not null default 'friction',
      severity text not null default 'medium',
      severity_rank smallint generated always as ${SEVERITY_RANK('severity')} stored,
      thread_id uuid,
      actor_id uuid,
      actor_type text not null default 'user',
      widget_state_ref text,
      source text not null default 'api',
      retracted_at timestamptz default null,
      retracted_by uuid default null,
      created_at timestamptz not null default now(),
      constraint annotations_category_known check (category in ${CATEGORIES}),
      constraint annotations_severity_known check (severity in ${SEVERITIES}),
      constraint annotations_source_known check (source in ('ingestion','api')),
      constraint annotations_body_not_blank check (btrim(body) <> ''),
      constraint annotations_not_own_parent check (parent_id is null or parent_id <> id),
      constraint annotations_id_widget_key unique (id, widget_id),
      constraint annotations_parent_same_widget foreign key (parent_id, widget_id)
        references "feedback".annotations (id, widget_id) on delete cascade,
      constraint annotations_thread_same_widget foreign key (thread_id, widget_id)
        references "feedback".annotation_threads (id, widget_id) on delete set null (thread_id)
    )`);
    this.addSql(`create index annotations_widget_id_idx on "feedback".annotations (widget_id)`);
    this.addSql(
      `create index annotations_thread_idx on "feedback".annotations (thread_id) where thread_id is not null`,
    );
    this.addSql(
      `create index annotations_parent_idx on "feedback".annotations (parent_id) where parent_id is not null`,
    );
    this.addSql(
      `create index annotations_hub_created_idx on "feedback".annotations (hub_id, created_at desc, id desc)`,
    );
    // Annotations are never deleted or edited; a retraction (once) and thread moves are the
    // only changes.
    this.addSql(`create function "feedback".guard_annotation_change() returns trigger as $$
      begin
        if tg_op = 'DELETE' then
          raise exception 'annotations are never deleted: retract them instead';
        end if;
        if new.id <> old.id or new.hub_id <> old.hub_id or new.widget_id <> old.widget_id
          or new.widget_version is distinct from old.widget_version
          or new.parent_id is distinct from old.parent_id or new.body <> old.body
          or new.category <> old.category or new.severity <> old.severity
          or new.actor_id is distinct from old.actor_id or new.actor_type <> old.actor_type
          or new.widget_state_ref is distinct from old.widget_state_ref
          or new.source <> old.source or new.created_at <> old.created_at
          or (old.retracted_at is not null and (new.retracted_at is distinct from old.retracted_at
            or new.retracted_by is distinct from old.retracted_by)) then
          raise exception 'annotations are never edited: only retraction and thread membership change';
        end if;
        return new;
      end;
    $$ language plpgsql`);
    this.addSql(`create trigger annotations_guard before update or delete on "feedback".annotations
      for each row execute function "feedback".guard_annotation_change()`);

    this.addSql(`create table "feedback".requirement_candidates (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      title text not null,
      description text not null,
      source_widget_id uuid not null,
      source_thread_id uuid,
      source_annotation_id uuid,
      source_proposal_id uuid unique,
      category text not null default 'friction',
      severity text not null default 'medium',
      severity_rank smallint generated always as ${SEVERITY_RANK('severity')} stored,
      status text not null default 'open',
      duplicate_of_id uuid references "feedback".requirement_candidates (id) on delete restrict,
      requirement_id uuid,
      version int not null default 1,
      created_by uuid,
      created_at timestamptz not null default now(),
      updated_at timestamptz not null default now(),
      search tsvector generated always as (to_tsvector('simple', title || ' ' || description)) stored,
      constraint requirement_candidates_category_known check (category in ${CATEGORIES}),
      constraint requirement_candidates_severity_known check (severity in ${SEVERITIES}),
      constraint requirement_candidates_status_known check (status in ${STATUSES}),
      constraint requirement_candidates_title_not_blank check (btrim(title) <> ''),
      constraint requirement_candidates_duplicate_target
        check ((status = 'duplicate') = (duplicate_of_id is not null) and duplicate_of_id is distinct from id),
      constraint requirement_candidates_promoted_requirement
        check (status <> 'promoted' or requirement_id is not null),
      constraint requirement_candidates_thread_same_widget foreign key (source_thread_id, source_widget_id)
        references "feedback".annotation_threads (id, widget_id) on delete set null (source_thread_id),
      constraint requirement_candidates_annotation_same_widget foreign key (source_annotation_id, source_widget_id)
        references "feedback".annotations (id, widget_id) on delete set null (source_annotation_id)
    )`);
    this.addSql(
      `create index requirement_candidates_widget_id_idx on "feedback".requirement_candidates (source_widget_id)`,
    );
    this.addSql(
      `create index requirement_candidates_status_idx on "feedback".requirement_candidates (status)`,
    );
    // The triage queue: hub (+ status) then severity, age, id; the same order as the cursor.
    this.addSql(`create index requirement_candidates_queue_idx on "feedback".requirement_candidates
      (hub_id, severity_rank desc, created_at, id)`);
    this
      .addSql(`create index requirement_candidates_queue_status_idx on "feedback".requirement_candidates
      (hub_id, status, severity_rank desc, created_at, id)`);
    this.addSql(
      `create index requirement_candidates_search_idx on "feedback".requirement_candidates using gin (search)`,
    );
    this
      .addSql(`create index requirement_candidates_source_thread_idx on "feedback".requirement_candidates
      (source_thread_id) where source_thread_id is not null`);
    this
      .addSql(`create index requirement_candidates_source_annotation_idx on "feedback".requirement_candidates
      (source_annotation_id) where source_annotation_id is not null`);
    this
      .addSql(`create index requirement_candidates_duplicate_of_idx on "feedback".requirement_candidates
      (duplicate_of_id) where duplicate_of_id is not null`);

    this.addSql(`create table "feedback".triage_states (
      id uuid primary key default gen_random_uuid(),
      candidate_id uuid not null references "feedback".requirement_candidates (id) on delete cascade,
      status text not null,
      from_status text,
      notes text,
      duplicate_of_id uuid,
      requirement_id uuid,
      changed_by uuid,
      changed_at timestamptz not null default now(),
      constraint triage_states_status_known check (status in ${STATUSES}),
      constraint triage_states_from_status_known check (from_status is null or from_status in ${STATUSES})
    )`);
    this.addSql(
      `create index triage_states_candidate_id_idx on "feedback".triage_states (candidate_id, changed_at)`,
    );

    this.addSql(`create table "feedback".reviewer_assignments (
      id uuid primary key default gen_random_uuid(),
      candidate_id uuid not null references "feedback".requirement_candidates (id) on delete cascade,
      user_id uuid not null,
      assigned_by uuid,
      assigned_at timestamptz not null default now(),
      unique (candidate_id)
    )`);
    this.addSql(
      `create index reviewer_assignments_user_idx on "feedback".reviewer_assignments (user_id)`,
    );

    this.addSql(`create table "feedback".reviewer_assignment_audit (
      id uuid primary key default gen_random_uuid(),
      candidate_id uuid not null references "feedback".requirement_candidates (id) on delete cascade,
      reviewer_id uuid not null,
      previous_reviewer_id uuid,
      changed_by uuid,
      changed_at timestamptz not null default now()
    )`);
    this.addSql(`create index reviewer_assignment_audit_candidate_idx
      on "feedback".reviewer_assignment_audit (candidate_id, changed_at)`);

    // Append-only audit tables, as the seed does for interaction_events and outcome_signals
    // (plus TRUNCATE, which row triggers do not see).
    this.addSql(`create function "feedback".prevent_audit_mutation() returns trigger as $$
      begin
        raise exception '% is append-only: % is not permitted', tg_table_name, tg_op;
      end;
    $$ language plpgsql`);
    for (const table of ['triage_states', 'reviewer_assignment_audit']) {
      this.addSql(`create trigger ${table}_no_update before update on "feedback".${table}
        for each row execute function "feedback".prevent_audit_mutation()`);
      this.addSql(`create trigger ${table}_no_delete before delete on "feedback".${table}
        for each row execute function "feedback".prevent_audit_mutation()`);
      this.addSql(`create trigger ${table}_no_truncate before truncate on "feedback".${table}
        for each statement execute function "feedback".prevent_audit_mutation()`);
    }

    for (const sql of messagingTablesSql('feedback')) this.addSql(sql);
  }
}
