import { randomUUID } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/core';
import {
  type CandidateStatus,
  type ParticipantKind,
  type SubscriptionOrigin,
} from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** A row of `feedback.candidate_merges`. */
export interface MergeRow {
  readonly id: string;
  readonly hub_id: string;
  readonly duplicate_id: string;
  readonly kept_id: string;
  readonly from_status: CandidateStatus;
  readonly notes: string | null;
  readonly merged_by: string | null;
  readonly source_proposal_id: string | null;
  readonly merged_at: Date;
  readonly duplicate_version: number;
  readonly kept_version: number;
  readonly undone_at: Date | null;
  readonly undone_by: string | null;
}

/** A subscription a merge or an undo moved (for the subscription events). */
export interface MovedSubscription {
  readonly kind: ParticipantKind;
  readonly id: string;
  readonly origin: SubscriptionOrigin;
}

/** What a merge did with one vote or subscription of the duplicate. */
export interface MergeItemRow {
  readonly is_subscription: boolean;
  readonly participant_kind: ParticipantKind;
  readonly participant_id: string;
  /** True when the kept candidate had the same person already (counted once there). */
  readonly collapsed: boolean;
  readonly original_at: Date;
}

/** What merging needs to know. */
export interface MergeRequest {
  readonly hubId: string;
  readonly duplicateId: string;
  /** The duplicate's version after its move to `duplicate`. */
  readonly duplicateVersion: number;
  readonly keptId: string;
  readonly fromStatus: CandidateStatus;
  readonly mergedBy: string | null;
  readonly notes: string | null;
  readonly sourceProposalId: string | null;
  readonly at: Date;
}

/** What a merge moved, and the kept candidate after it. */
export interface MergeResult {
  readonly merge: MergeRow;
  readonly votesMoved: number;
  readonly subscribersMoved: number;
  /** Subscriptions now on the kept candidate (were on the duplicate). */
  readonly subscriptionsMoved: MovedSubscription[];
  /** Subscriptions of the duplicate folded into the kept candidate's own. */
  readonly subscriptionsCollapsed: MovedSubscription[];
  readonly keptVoteCount: number;
  readonly keptSubscriberCount: number;
}

const MERGE_COLUMNS = `id, hub_id, duplicate_id, kept_id, from_status, notes, merged_by,
  source_proposal_id, merged_at, duplicate_version, kept_version, undone_at, undone_by`;

/**
 * The two tables merges move rows between, with their kind and time columns: the same SQL
 * serves votes and subscriptions.
 */
const PARTICIPATIONS = [
  { table: 'candidate_votes', kind: 'voter_kind', id: 'voter_id', at: 'voted_at', sub: false },
  {
    table: 'candidate_subscribers',
    kind: 'subscriber_kind',
    id: 'subscriber_id',
    at: 'subscribed_at',
    sub: true,
  },
] as const;

/**
 * SQL of merges. Both candidates are locked by the caller (in id order), so nothing else moves
 * their votes or subscribers meanwhile (votes and subscriptions share-lock the candidate).
 */
export class MergeRepository {
  /**
   * Records the merge and moves the duplicate's votes and subscribers to the kept candidate: a
   * person on both is kept once (the kept candidate's row stays, the duplicate's is folded in),
   * and every item is written down so that an undo puts it back exactly.
   */
  static async merge(em: EntityManager, r: MergeRequest): Promise<MergeResult> {
    const kept = await queryOne<{ version: number }>(
      em,
      `update feedback.requirement_candidates set version = version + 1, updated_at = ?
       where id = ? returning version`,
      [r.at, r.keptId],
    );
    if (!kept) throw new Error(`kept candidate ${r.keptId} vanished while locked`);
    const mergeId = randomUUID();
    await query(
      em,
      `insert into feedback.candidate_merges (id, hub_id, duplicate_id, kept_id, from_status,
         notes, merged_by, source_proposal_id, merged_at, duplicate_version, kept_version)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
      [
        mergeId,
        r.hubId,
        r.duplicateId,
        r.keptId,
        r.fromStatus,
        r.notes,
        r.mergedBy,
        r.sourceProposalId,
        r.at,
        r.duplicateVersion,
        kept.version,
      ],
    );
    const moved: MovedSubscription[][] = [];
    const collapsed: MovedSubscription[][] = [];
    for (const p of PARTICIPATIONS) {
      const returning = `returning ${p.kind} as kind, ${p.id} as id, ${p.sub ? 'origin' : 'null as origin'}`;
      await query(
        em,
        `insert into feedback.candidate_merge_items (merge_id, is_subscription, participant_kind,
           participant_id, collapsed, original_at, original_origin, previous_merge_id)
         select ?, ?, d.${p.kind}, d.${p.id},
           exists (select 1 from feedback.${p.table} k where k.candidate_id = ?
                   and k.${p.kind} = d.${p.kind} and k.${p.id} = d.${p.id}),
           d.${p.at}, ${p.sub ? 'd.origin' : 'null'}, d.merge_id
         from feedback.${p.table} d where d.candidate_id = ?`,
        [mergeId, p.sub, r.keptId, r.duplicateId],
      );
      collapsed.push(
        await query<MovedSubscription>(
          em,
          `delete from feedback.${p.table} d where d.candidate_id = ? and exists (
             select 1 from feedback.${p.table} k where k.candidate_id = ?
             and k.${p.kind} = d.${p.kind} and k.${p.id} = d.${p.id}) ${returning}`,
          [r.duplicateId, r.keptId],
        ),
      );
      moved.push(
        await query<MovedSubscription>(
          em,
          `update feedback.${p.table} set candidate_id = ?, merge_id = ?
           where candidate_id = ? ${returning}`,
          [r.keptId, mergeId, r.duplicateId],
        ),
      );
    }
    const counts = await this.counts(em, r.keptId);
    return {
      merge: (await this.find(em, mergeId)) as MergeRow,
      votesMoved: moved[0].length,
      subscribersMoved: moved[1].length,
      subscriptionsMoved: moved[1],
      subscriptionsCollapsed: collapsed[1],
      keptVoteCount: counts.votes,
      keptSubscriberCount: counts.subscribers,
    };
  }

  /**
   * Puts back what the merge moved: rows it moved that are still on the kept candidate go back
   * to the duplicate (with the merge that had brought them before, if any), and rows it folded
   * in are recreated there. Returns how many votes came back, and the subscriptions that left
   * the kept candidate (`back`) or were only recreated on the duplicate (`recreated`).
   */
  static async undo(
    em: EntityManager,
    merge: MergeRow,
    undoneBy: string | null,
    at: Date,
  ): Promise<{ votes: number; back: MovedSubscription[]; recreated: MovedSubscription[] }> {
    const back: MovedSubscription[][] = [];
    const recreated: MovedSubscription[][] = [];
    for (const p of PARTICIPATIONS) {
      const origin = p.sub ? 'origin' : 'null as origin';
      const movedBack = await query<MovedSubscription>(
        em,
        `update feedback.${p.table} t set candidate_id = ?, merge_id = i.previous_merge_id
         from feedback.candidate_merge_items i
         where i.merge_id = ? and i.is_subscription = ? and not i.collapsed
           and t.candidate_id = ? and t.merge_id = ?
           and t.${p.kind} = i.participant_kind and t.${p.id} = i.participant_id
         returning t.${p.kind} as kind, t.${p.id} as id, ${p.sub ? 't.origin' : 'null as origin'}`,
        [merge.duplicate_id, merge.id, p.sub, merge.kept_id, merge.id],
      );
      const made = await query<MovedSubscription>(
        em,
        `insert into feedback.${p.table} (candidate_id, ${p.kind}, ${p.id}, hub_id, ${p.at},
           ${p.sub ? 'origin, ' : ''}merge_id)
         select ?, i.participant_kind, i.participant_id, ?, i.original_at,
           ${p.sub ? 'i.original_origin, ' : ''}i.previous_merge_id
         from feedback.candidate_merge_items i
         where i.merge_id = ? and i.is_subscription = ? and i.collapsed
         on conflict do nothing returning ${p.kind} as kind, ${p.id} as id, ${origin}`,
        [merge.duplicate_id, merge.hub_id, merge.id, p.sub],
      );
      back.push(movedBack);
      recreated.push(made);
    }
    await query(
      em,
      'update feedback.candidate_merges set undone_at = ?, undone_by = ? where id = ?',
      [at, undoneBy, merge.id],
    );
    return { votes: back[0].length + recreated[0].length, back: back[1], recreated: recreated[1] };
  }

  static async find(em: EntityManager, id: string, lock = false): Promise<MergeRow | undefined> {
    return queryOne<MergeRow>(
      em,
      `select ${MERGE_COLUMNS} from feedback.candidate_merges where id = ?${lock ? ' for update' : ''}`,
      [id],
    );
  }

  /** The merge that made the candidate a duplicate, unless undone. */
  static async liveFor(em: EntityManager, duplicateId: string): Promise<MergeRow | undefined> {
    return queryOne<MergeRow>(
      em,
      `select ${MERGE_COLUMNS} from feedback.candidate_merges
       where duplicate_id = ? and undone_at is null`,
      [duplicateId],
    );
  }

  /** Merges into or out of a candidate, newest first. */
  static async listFor(em: EntityManager, candidateId: string, limit: number): Promise<MergeRow[]> {
    return query<MergeRow>(
      em,
      `select ${MERGE_COLUMNS} from feedback.candidate_merges
       where kept_id = ? or duplicate_id = ? order by merged_at desc, id limit ?`,
      [candidateId, candidateId, limit],
    );
  }

  static async items(
    em: EntityManager,
    mergeIds: readonly string[],
  ): Promise<(MergeItemRow & { merge_id: string })[]> {
    if (mergeIds.length === 0) return [];
    return query(
      em,
      `select merge_id, is_subscription, participant_kind, participant_id, collapsed, original_at
       from feedback.candidate_merge_items where merge_id = any(?::uuid[])
       order by is_subscription, original_at, participant_id`,
      [`{${mergeIds.join(',')}}`],
    );
  }

  static async counts(
    em: EntityManager,
    candidateId: string,
  ): Promise<{ votes: number; subscribers: number }> {
    const row = await queryOne<{ votes: number; subscribers: number }>(
      em,
      `select (select count(*) from feedback.candidate_votes where candidate_id = ?)::int as votes,
         (select count(*) from feedback.candidate_subscribers where candidate_id = ?)::int
           as subscribers`,
      [candidateId, candidateId],
    );
    return row ?? { votes: 0, subscribers: 0 };
  }
}
