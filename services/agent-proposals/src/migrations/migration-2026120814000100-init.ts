import { Migration } from '@mikro-orm/migrations';
import {
  AGENT_ORIGINS,
  CONFIDENCE_DIMENSIONS,
  PROPOSAL_KINDS,
  PROPOSAL_STATUSES,
  REVIEW_DECISIONS,
} from '@ihf/contracts';
import { consumerFailuresSql, messagingTablesSql } from '@ihf/messaging';

/** now() to the millisecond, for the columns lists are paged by (a cursor carries milliseconds). */
const MS_NOW = `date_trunc('milliseconds', now())`;

/** `('a','b')` of a value set from libs/contracts, for a CHECK. */
const oneOf = (values: readonly string[]): string => `(${values.map((v) => `'${v}'`).join(',')})`;

/**
 * The agents schema: the seed's phase 5 tables (agent_proposals, agent_review_records,
 * confidence_annotations) re-homed in `agents`, plus what the seed lacked:
 *
 * - hub scoping, the agent and its origin, a fifth source (a promoted requirement), structured
 *   `details` beside the readable `content` (what `proposal.accepted.v1` carries), supersession
 *   (`superseded_by_id`) and an identity hash (an identical proposal is stored once);
 * - `sources_key`, computed by the database: at most one pending proposal per hub, kind and
 *   sources (a newer one supersedes it);
 * - `agent_review_records` stays one per proposal and becomes append-only (triggers), with the
 *   edited content of a `modified` review kept beside the original;
 * - read models of the events the built-in agents read (candidates, annotations with their
 *   bodies, threads, widgets' policy scopes, requirements) and the language model's token use;
 * - pg_trgm for the duplicates agent, reached through `agents.text_similarity` wherever the
 *   extension already lives in this database.
 */
export class InitAgents extends Migration {
  override up(): void {
    // pg_trgm may already be installed by someone else in another schema: the wrapper is bound
    // to wherever it lives, so queries never depend on the search_path.
    this.addSql(`do $$
      declare trgm_schema text;
      begin
        select n.nspname into trgm_schema from pg_extension e
          join pg_namespace n on n.oid = e.extnamespace where e.extname = 'pg_trgm';
        if trgm_schema is null then
          create extension pg_trgm with schema "agents";
          trgm_schema := 'agents';
        end if;
        execute format(
          'create function "agents".text_similarity(a text, b text) returns real
             language sql immutable parallel safe set search_path = %I, pg_temp
             as $f$ select similarity(a, b) $f$', trgm_schema);
      end $$`);

    this.addSql(`create table "agents".agent_proposals (
      id uuid primary key default gen_random_uuid(),
      hub_id uuid not null,
      proposal_type text not null
        constraint agent_proposals_kind_known check (proposal_type in ${oneOf(PROPOSAL_KINDS)}),
      origin text not null
        constraint agent_proposals_origin_known check (origin in ${oneOf(AGENT_ORIGINS)}),
      agent text not null check (length(agent) between 1 and 200),
      source_widget_id uuid,
      source_candidate_id uuid,
      source_thread_id uuid,
      source_decision_id uuid,
      source_requirement_id uuid,
      sources_key text generated always as (
        proposal_type || ':' || coalesce(source_widget_id::text, '-') || ':' ||
        coalesce(source_candidate_id::text, '-') || ':' || coalesce(source_thread_id::text, '-') ||
        ':' || coalesce(source_decision_id::text, '-') || ':' ||
        coalesce(source_requirement_id::text, '-')) stored,
      content text not null check (length(content) between 1 and 20000),
      details jsonb not null default '{}',
      content_hash text not null,
      model_ref text not null check (length(model_ref) between 1 and 200),
      confidence numeric(4,3) not null check (confidence between 0 and 1),
      status text not null default 'pending'
        constraint agent_proposals_status_known check (status in ${oneOf(PROPOSAL_STATUSES)}),
      superseded_by_id uuid references "agents".agent_proposals (id) deferrable initially deferred,
      submitted_by uuid,
      created_at timestamptz not null default ${MS_NOW},
      check (num_nonnulls(source_widget_id, source_candidate_id, source_thread_id,
        source_decision_id, source_requirement_id) >= 1),
      check ((status = 'superseded') = (superseded_by_id is not null))
    )`);
    this.addSql(
      `create unique index agent_proposals_identity_uq on "agents".agent_proposals (hub_id, content_hash)`,
    );
    this.addSql(`create unique index agent_proposals_one_pending_uq
      on "agents".agent_proposals (hub_id, sources_key) where status = 'pending'`);
    this.addSql(`create index agent_proposals_queue_idx
      on "agents".agent_proposals (hub_id, status, created_at, id)`);
    this.addSql(`create index agent_proposals_model_idx
      on "agents".agent_proposals (hub_id, agent, model_ref, proposal_type)`);

    this.addSql(`create table "agents".agent_review_records (
      id uuid primary key default gen_random_uuid(),
      proposal_id uuid not null unique references "agents".agent_proposals (id) on delete cascade,
      hub_id uuid not null,
      reviewer_id uuid not null,
      decision text not null
        constraint agent_review_records_decision_known check (decision in ${oneOf(REVIEW_DECISIONS)}),
      notes text check (length(notes) <= 2000),
      modified_content text check (length(modified_content) between 1 and 20000),
      modified_details jsonb,
      reviewed_at timestamptz not null default ${MS_NOW},
      check (decision = 'modified' or (modified_content is null and modified_details is null))
    )`);

    this.addSql(`create table "agents".confidence_annotations (
      id uuid primary key default gen_random_uuid(),
      proposal_id uuid not null references "agents".agent_proposals (id) on delete cascade,
      dimension text not null
        constraint confidence_annotations_dimension_known
        check (dimension in ${oneOf(CONFIDENCE_DIMENSIONS)}),
      score numeric(4,3) not null check (score between 0 and 1),
      explanation text check (length(explanation) <= 2000),
      created_at timestamptz not null default now(),
      unique (proposal_id, dimension)
    )`);

    // Read models of what the built-in agents read (kept from the owners' events).
    this.addSql(`create table "agents".candidates (
      id uuid primary key,
      hub_id uuid not null,
      title text not null,
      description text not null default '',
      category text not null,
      severity text not null,
      source_widget_id uuid,
      source_thread_id uuid,
      status text not null,
      version int not null,
      created_at timestamptz not null
    )`);
    this.addSql(`create index candidates_hub_idx on "agents".candidates (hub_id, status)`);
    this.addSql(`create table "agents".annotations (
      id uuid primary key,
      hub_id uuid,
      widget_id uuid,
      thread_id uuid,
      body text,
      category text,
      severity text,
      retracted boolean not null default false,
      created_at timestamptz not null default now()
    )`);
    this.addSql(`create index annotations_thread_idx on "agents".annotations (thread_id)`);
    this.addSql(`create table "agents".threads (
      id uuid primary key,
      hub_id uuid not null,
      widget_id uuid not null,
      title text not null
    )`);
    this.addSql(`create table "agents".widgets (
      id uuid primary key,
      hub_id uuid not null,
      name text,
      policy_scope text,
      version int not null
    )`);

    // Tokens the language model spent per hub and UTC day (the budget is checked against it).
    this.addSql(`create table "agents".llm_token_usage (
      hub_id uuid not null,
      day date not null,
      tokens bigint not null default 0,
      primary key (hub_id, day)
    )`);

    this.addSql(`create function "agents".prevent_audit_mutation() returns trigger as $$
      begin
        raise exception '% is append-only: % is not permitted', tg_table_name, tg_op;
      end;
    $$ language plpgsql`);
    this.addSql(`create trigger agent_review_records_no_update before update
      on "agents".agent_review_records
      for each row execute function "agents".prevent_audit_mutation()`);
    this.addSql(`create trigger agent_review_records_no_delete before delete
      on "agents".agent_review_records
      for each row execute function "agents".prevent_audit_mutation()`);
    this.addSql(`create trigger agent_review_records_no_truncate before truncate
      on "agents".agent_review_records
      for each statement execute function "agents".prevent_audit_mutation()`);

    for (const sql of messagingTablesSql('agents')) this.addSql(sql);
    for (const sql of consumerFailuresSql('agents')) this.addSql(sql);
  }
}
