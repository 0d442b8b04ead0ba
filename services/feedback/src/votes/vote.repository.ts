import { type EntityManager } from '@mikro-orm/core';
import { type ParticipantKind } from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';

/** A voter: a hub user or a reporter (an end user of the site, by actor id). */
export interface Voter {
  readonly kind: ParticipantKind;
  readonly id: string;
}

/** Votes on a candidate, by kind of voter. */
export interface VoteCounts {
  readonly vote_count: number;
  readonly user_votes: number;
  readonly reporter_votes: number;
}

/** SQL access to `feedback.candidate_votes`: one row per voter and candidate. */
export class VoteRepository {
  /**
   * Records the vote; false when this voter has one on the candidate already. The primary key
   * decides, so two concurrent votes of one person leave one row (the second insert waits for
   * the first and then does nothing).
   */
  static async add(
    em: EntityManager,
    candidate: { id: string; hub_id: string },
    voter: Voter,
    at: Date,
  ): Promise<boolean> {
    const rows = await query(
      em,
      `insert into feedback.candidate_votes (candidate_id, voter_kind, voter_id, hub_id, voted_at)
       values (?, ?, ?, ?, ?) on conflict do nothing returning 1`,
      [candidate.id, voter.kind, voter.id, candidate.hub_id, at],
    );
    return rows.length > 0;
  }

  static async remove(em: EntityManager, candidateId: string, voter: Voter): Promise<boolean> {
    const rows = await query(
      em,
      `delete from feedback.candidate_votes
       where candidate_id = ? and voter_kind = ? and voter_id = ? returning 1`,
      [candidateId, voter.kind, voter.id],
    );
    return rows.length > 0;
  }

  static async has(em: EntityManager, candidateId: string, voter: Voter): Promise<boolean> {
    const row = await queryOne(
      em,
      `select 1 from feedback.candidate_votes
       where candidate_id = ? and voter_kind = ? and voter_id = ?`,
      [candidateId, voter.kind, voter.id],
    );
    return row !== undefined;
  }

  static async counts(em: EntityManager, candidateId: string): Promise<VoteCounts> {
    const row = await queryOne<VoteCounts>(
      em,
      `select count(*)::int as vote_count,
         (count(*) filter (where voter_kind = 'user'))::int as user_votes,
         (count(*) filter (where voter_kind = 'reporter'))::int as reporter_votes
       from feedback.candidate_votes where candidate_id = ?`,
      [candidateId],
    );
    return row ?? { vote_count: 0, user_votes: 0, reporter_votes: 0 };
  }
}
