import { IsUUID } from 'class-validator';
import { type CandidateStatus } from '../value-sets/value-sets.js';

/** Request of `ihf.rpc.feedback.candidate.get.v1`. */
export class CandidateGetRequestV1 {
  @IsUUID()
  candidate_id!: string;
}

/** A requirement candidate as feedback holds it now (`version` orders it with its events). */
export interface CandidateSnapshotV1 {
  readonly candidate_id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly description: string;
  readonly status: CandidateStatus;
  readonly version: number;
  readonly source_widget_id: string;
  readonly source_thread_id: string | null;
  readonly source_annotation_id: string | null;
  readonly source_proposal_id: string | null;
  readonly requirement_id: string | null;
  readonly created_at: string;
}

/**
 * Answer of `ihf.rpc.feedback.candidate.get.v1`: the candidate's current state, or
 * `found: false` when no candidate has that id (or the request was invalid: `error` says why).
 */
export interface CandidateGetResponseV1 {
  readonly found: boolean;
  readonly candidate: CandidateSnapshotV1 | null;
  readonly error?: string;
}
