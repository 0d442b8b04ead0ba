import { type EntityManager } from '@mikro-orm/core';
import {
  type AgentOrigin,
  type ConfidenceDimension,
  type ProposalKind,
  type ProposalStatus,
  type ReviewDecision,
} from '@ihf/contracts';
import { query, queryOne } from '@ihf/persistence';
import { type ProposalDetails } from './proposal-details.js';

/** A row of `agents.agent_proposals`. */
export interface ProposalRow {
  id: string;
  hub_id: string;
  proposal_type: ProposalKind;
  origin: AgentOrigin;
  agent: string;
  source_widget_id: string | null;
  source_candidate_id: string | null;
  source_thread_id: string | null;
  source_decision_id: string | null;
  source_requirement_id: string | null;
  sources_key: string;
  content: string;
  details: ProposalDetails;
  model_ref: string;
  /** numeric comes back as text from pg. */
  confidence: string;
  status: ProposalStatus;
  superseded_by_id: string | null;
  submitted_by: string | null;
  /** timestamptz comes back as text from raw SQL. */
  created_at: Date | string;
  cursor_at: string;
}

/** A row of `agents.agent_review_records`. */
export interface ReviewRow {
  id: string;
  proposal_id: string;
  hub_id: string;
  reviewer_id: string;
  decision: ReviewDecision;
  notes: string | null;
  modified_content: string | null;
  modified_details: ProposalDetails | null;
  reviewed_at: Date | string;
}

/** A row of `agents.confidence_annotations`. */
export interface DimensionRow {
  proposal_id: string;
  dimension: ConfidenceDimension;
  score: string;
  explanation: string | null;
}

export const PROPOSAL_COLUMNS = `p.*, to_char(p.created_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') as cursor_at`;

/** SQL of agent_proposals and their reviews and confidence annotations. */
export const ProposalRepository = {
  find(em: EntityManager, id: string, forUpdate = false): Promise<ProposalRow | undefined> {
    return queryOne<ProposalRow>(
      em,
      `select ${PROPOSAL_COLUMNS} from agents.agent_proposals p where p.id = ?${forUpdate ? ' for update' : ''}`,
      [id],
    );
  },

  findByHash(em: EntityManager, hubId: string, hash: string): Promise<ProposalRow | undefined> {
    return queryOne<ProposalRow>(
      em,
      `select ${PROPOSAL_COLUMNS} from agents.agent_proposals p where p.hub_id = ? and p.content_hash = ?`,
      [hubId, hash],
    );
  },

  review(em: EntityManager, proposalId: string): Promise<ReviewRow | undefined> {
    return queryOne<ReviewRow>(
      em,
      `select * from agents.agent_review_records where proposal_id = ?`,
      [proposalId],
    );
  },

  dimensions(em: EntityManager, proposalIds: readonly string[]): Promise<DimensionRow[]> {
    if (!proposalIds.length) return Promise.resolve([]);
    return query<DimensionRow>(
      em,
      `select proposal_id, dimension, score, explanation from agents.confidence_annotations
        where proposal_id = any(?::uuid[]) order by dimension`,
      [`{${proposalIds.join(',')}}`],
    );
  },

  reviews(em: EntityManager, proposalIds: readonly string[]): Promise<ReviewRow[]> {
    if (!proposalIds.length) return Promise.resolve([]);
    return query<ReviewRow>(
      em,
      `select * from agents.agent_review_records where proposal_id = any(?::uuid[])`,
      [`{${proposalIds.join(',')}}`],
    );
  },
};
