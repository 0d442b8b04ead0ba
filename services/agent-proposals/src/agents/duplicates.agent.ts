import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { queryOne } from '@ihf/persistence';
import { AgentsConfig } from '../config/agents.config.js';
import { ProposalWriter } from '../proposals/proposal-writer.js';
import { type CandidateRow } from '../read-models/read-models.js';
import { builtin, clamp, sources } from './builtin.js';

/**
 * `ihf-builtin/duplicates@1`: when a candidate is created, finds the most similar other
 * candidate of the same hub that is still in triage (open, in review, deferred) by pg_trgm
 * similarity of title and description, and flags the later of the two as a duplicate of the
 * earlier when the similarity reaches `AGENTS_DUPLICATE_THRESHOLD_PCT` (default 0.55).
 *
 * Confidence = the trigram similarity itself (0.55..1): it is what a reviewer weighs, and the
 * scorecard's calibration shows whether it should be trusted as a probability.
 */
@Injectable()
export class DuplicatesAgent {
  static readonly NAME = 'duplicates';

  constructor(
    @Inject(ProposalWriter) private readonly writer: ProposalWriter,
    @Inject(AgentsConfig) private readonly config: AgentsConfig,
  ) {}

  async candidateCreated(em: EntityManager, candidate: CandidateRow): Promise<void> {
    const threshold = this.config.AGENTS_DUPLICATE_THRESHOLD_PCT / 100;
    const match = await queryOne<CandidateRow & { similarity: number; same_widget: boolean }>(
      em,
      `select c.*, s.similarity, c.source_widget_id is not distinct from ?::uuid as same_widget
         from agents.candidates c,
         lateral (select agents.text_similarity(c.title || ' ' || c.description, ?) as similarity) s
        where c.hub_id = ? and c.id <> ? and c.status in ('open', 'in_review', 'deferred')
          and s.similarity >= ?
        order by s.similarity desc, c.created_at, c.id limit 1`,
      [
        candidate.source_widget_id,
        `${candidate.title} ${candidate.description}`,
        candidate.hub_id,
        candidate.id,
        threshold,
      ],
    );
    if (!match) return;
    const similarity = Number(match.similarity);
    // The later candidate is the duplicate, whichever event arrived first: both orders then
    // yield the same proposal, which is stored once.
    const [older, newer] =
      new Date(match.created_at).getTime() <= new Date(candidate.created_at).getTime()
        ? [match, candidate]
        : [candidate, match];
    await this.writer.write(em, {
      ...builtin(DuplicatesAgent.NAME),
      hubId: candidate.hub_id,
      kind: 'duplicate_flag',
      sources: sources({ candidateId: newer.id, widgetId: newer.source_widget_id }),
      content: `Candidate "${newer.title}" looks like a duplicate of the earlier candidate "${older.title}" (text similarity ${similarity.toFixed(2)}${match.same_widget ? ', same widget' : ''}).`,
      details: { candidate_id: newer.id, duplicate_of_id: older.id },
      confidence: clamp(similarity),
      dimensions: [
        {
          dimension: 'accuracy',
          score: clamp(similarity),
          explanation: 'pg_trgm similarity of title and description',
        },
        {
          dimension: 'relevance',
          score: match.same_widget ? 1 : 0.5,
          explanation: match.same_widget ? 'Both are about the same widget' : 'Different widgets',
        },
      ],
      submittedBy: null,
    });
  }
}
