import { IsIn, IsInt, IsISO8601, IsString, IsUUID, MaxLength, Min } from 'class-validator';
import { Nullable } from '../../schema/presence.js';
import {
  CANDIDATE_STATUSES,
  PARTICIPANT_KINDS,
  SUBSCRIPTION_ORIGINS,
  type CandidateStatus,
  type ParticipantKind,
  type SubscriptionOrigin,
} from '../../value-sets/value-sets.js';

/*
 * Votes, subscribers and merges of requirement candidates (issue 16). Every payload names the
 * people concerned by kind and id, so that notifications can tell subscribers without asking
 * feedback: a `user` is a principal id, a `reporter` the actor id the SDK reported.
 */

/** `ihf.ingestion.me_too.submitted.v1`: an end user said "me too" about a candidate in the SDK. */
export class MeTooSubmittedV1 {
  /** The client's id (and the event id): a resend is the same "me too". */
  @IsUUID()
  me_too_id!: string;

  @IsUUID()
  hub_id!: string;

  @IsUUID()
  candidate_id!: string;

  /** The end user's actor id; one "me too" per reporter and candidate counts. */
  @IsUUID()
  reporter_id!: string;

  /** The widget the person was looking at, when the SDK knows it. */
  @Nullable()
  @IsUUID()
  widget_id!: string | null;

  @IsISO8601({ strict: true })
  submitted_at!: string;
}

/** `ihf.feedback.candidate.voted.v1`: a hub user voted, or a reporter said "me too". */
export class FeedbackCandidateVotedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsIn(PARTICIPANT_KINDS)
  voter_kind!: ParticipantKind;

  @IsUUID()
  voter_id!: string;

  /** Votes on the candidate after this one. */
  @IsInt()
  @Min(1)
  vote_count!: number;

  @IsISO8601({ strict: true })
  voted_at!: string;
}

/** `ihf.feedback.candidate.vote_withdrawn.v1`: a hub user took their vote back. */
export class FeedbackCandidateVoteWithdrawnV1 {
  @IsUUID()
  candidate_id!: string;

  @IsIn(PARTICIPANT_KINDS)
  voter_kind!: ParticipantKind;

  @IsUUID()
  voter_id!: string;

  @IsInt()
  @Min(0)
  vote_count!: number;

  @IsISO8601({ strict: true })
  withdrawn_at!: string;
}

/** `ihf.feedback.candidate.subscribed.v1`: someone now follows a candidate. */
export class FeedbackCandidateSubscribedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsIn(PARTICIPANT_KINDS)
  subscriber_kind!: ParticipantKind;

  @IsUUID()
  subscriber_id!: string;

  @IsIn(SUBSCRIPTION_ORIGINS)
  origin!: SubscriptionOrigin;

  @IsISO8601({ strict: true })
  subscribed_at!: string;
}

/** `ihf.feedback.candidate.unsubscribed.v1`: someone stopped following a candidate. */
export class FeedbackCandidateUnsubscribedV1 {
  @IsUUID()
  candidate_id!: string;

  @IsIn(PARTICIPANT_KINDS)
  subscriber_kind!: ParticipantKind;

  @IsUUID()
  subscriber_id!: string;

  @IsISO8601({ strict: true })
  unsubscribed_at!: string;
}

/**
 * `ihf.feedback.candidate.merged.v1`: a duplicate was merged into the kept candidate; its votes,
 * subscribers and source annotations now count for the kept one. The duplicate stays readable
 * (status `duplicate`, `duplicate_of_id` = `kept_id`); the merge can be undone.
 */
export class FeedbackCandidateMergedV1 {
  @IsUUID()
  merge_id!: string;

  @IsUUID()
  duplicate_id!: string;

  @IsUUID()
  kept_id!: string;

  /** The duplicate's status before the merge (restored by an undo). */
  @IsIn(CANDIDATE_STATUSES)
  from_status!: CandidateStatus;

  /** Who merged: a triager, or whoever accepted the agent's duplicate flag. */
  @Nullable()
  @IsUUID()
  merged_by!: string | null;

  /** The accepted agent proposal that asked for it, if any. */
  @Nullable()
  @IsUUID()
  source_proposal_id!: string | null;

  @Nullable()
  @IsString()
  @MaxLength(5000)
  notes!: string | null;

  /** Votes that moved (a voter of both candidates counts once, on the kept one). */
  @IsInt()
  @Min(0)
  votes_moved!: number;

  @IsInt()
  @Min(0)
  subscribers_moved!: number;

  /** Votes and subscribers on the kept candidate after the merge. */
  @IsInt()
  @Min(0)
  kept_vote_count!: number;

  @IsInt()
  @Min(0)
  kept_subscriber_count!: number;

  @IsISO8601({ strict: true })
  merged_at!: string;
}

/** `ihf.feedback.candidate.merge_undone.v1`: a merge was undone; the moved items went back. */
export class FeedbackCandidateMergeUndoneV1 {
  @IsUUID()
  merge_id!: string;

  @IsUUID()
  duplicate_id!: string;

  @IsUUID()
  kept_id!: string;

  /** The duplicate's status again (its status before the merge). */
  @IsIn(CANDIDATE_STATUSES)
  restored_status!: CandidateStatus;

  @Nullable()
  @IsUUID()
  undone_by!: string | null;

  @IsInt()
  @Min(0)
  votes_returned!: number;

  @IsInt()
  @Min(0)
  subscribers_returned!: number;

  @IsISO8601({ strict: true })
  undone_at!: string;
}
