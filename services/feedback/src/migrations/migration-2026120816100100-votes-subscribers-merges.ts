import { Migration } from '@mikro-orm/migrations';

// Value lists written out, not imported: a migration is history. test/value-set-checks.int-spec.ts
// compares them with PARTICIPANT_KINDS, SUBSCRIPTION_ORIGINS and CANDIDATE_STATUSES.
const PARTICIPANT_KINDS = `('user','reporter')`;
const ORIGINS = `('source_annotation','member','vote')`;
const STATUSES = `('open','in_review','accepted','rejected','deferred','duplicate','promoted')`;

/**
 * Votes, subscribers and merges of requirement candidates (issue 16).
 *
 * - `candidate_merges`: one row per merge of a duplicate into a kept candidate, with who, when,
 *   the duplicate's status before (restored by an undo) and both candidates' versions after the
 *   merge (an undo is refused once either moved on). At most one live merge per duplicate.
 * - `candidate_votes` / `candidate_subscribers`: one row per person and candidate (the primary
 *   key counts a voter once, whatever the concurrency); `merge_id` names the merge that moved
 *   the row onto this candidate.
 * - `candidate_merge_items`: what a merge did with each vote and subscriber of the duplicate
 *   (moved, or `collapsed` into the kept candidate's own row), so that an undo puts them back
 *   exactly. Source annotations are not copied: the kept candidate's sources are its own plus
 *   those of the candidates merged into it (live merges), so an undo takes them back by itself.
 */
export class VotesSubscribersMerges extends Migration {
  override up(): void {
    this.addSql(`create table "feedback".candidate_merges (
      id uuid primary key,
      hub_id uuid not null,
      duplicate_id uuid not null references "feedback".requirement_candidates (id),
      kept_id uuid not null references "feedback".requirement_candidates (id),
      from_status text not null,
      notes text,
      merged_by uuid,
      source_proposal_id uuid,
      merged_at timestamptz not null,
      duplicate_version int not null,
      kept_version int not null,
      undone_at timestamptz,
      undone_by uuid,
      constraint candidate_merges_not_itself check (duplicate_id <> kept_id),
      constraint candidate_merges_from_status_known check (from_status in ${STATUSES})
    )`);
    this.addSql(`create unique index candidate_merges_live_duplicate_key
      on "feedback".candidate_merges (duplicate_id) where undone_at is null`);
    this.addSql(`create index candidate_merges_kept_idx
      on "feedback".candidate_merges (kept_id, merged_at)`);

    this.addSql(`create table "feedback".candidate_votes (
      candidate_id uuid not null references "feedback".requirement_candidates (id),
      voter_kind text not null,
      voter_id uuid not null,
      hub_id uuid not null,
      voted_at timestamptz not null,
      merge_id uuid references "feedback".candidate_merges (id),
      primary key (candidate_id, voter_kind, voter_id),
      constraint candidate_votes_voter_kind_known check (voter_kind in ${PARTICIPANT_KINDS})
    )`);

    this.addSql(`create table "feedback".candidate_subscribers (
      candidate_id uuid not null references "feedback".requirement_candidates (id),
      subscriber_kind text not null,
      subscriber_id uuid not null,
      hub_id uuid not null,
      origin text not null,
      subscribed_at timestamptz not null,
      merge_id uuid references "feedback".candidate_merges (id),
      primary key (candidate_id, subscriber_kind, subscriber_id),
      constraint candidate_subscribers_subscriber_kind_known check (subscriber_kind in ${PARTICIPANT_KINDS}),
      constraint candidate_subscribers_origin_known check (origin in ${ORIGINS})
    )`);
    // Notifications and "what do I follow" look people up by id.
    this.addSql(`create index candidate_subscribers_subscriber_idx
      on "feedback".candidate_subscribers (subscriber_kind, subscriber_id)`);

    this.addSql(`create table "feedback".candidate_merge_items (
      merge_id uuid not null references "feedback".candidate_merges (id),
      -- false: a vote; true: a subscription (two kinds only: booleans, not a value list).
      is_subscription boolean not null,
      participant_kind text not null,
      participant_id uuid not null,
      -- true: the kept candidate had the same person already; the duplicate's row was folded in.
      collapsed boolean not null,
      original_at timestamptz not null,
      original_origin text,
      previous_merge_id uuid references "feedback".candidate_merges (id),
      primary key (merge_id, is_subscription, participant_kind, participant_id),
      constraint candidate_merge_items_participant_kind_known check (participant_kind in ${PARTICIPANT_KINDS}),
      constraint candidate_merge_items_original_origin_known check (original_origin in ${ORIGINS})
    )`);
  }
}
