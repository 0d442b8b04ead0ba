import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import {
  type AgentOrigin,
  type ConfidenceDimension,
  type ProposalKind,
  Subjects,
} from '@ihf/contracts';
import { Outbox } from '@ihf/messaging';
import { query } from '@ihf/persistence';
import {
  detailsErrors,
  type ProposalDetails,
  proposalHash,
  type ProposalSources,
} from './proposal-details.js';
import { ProposalDetailsInvalidError } from './proposals.errors.js';
import { ProposalRepository, type ProposalRow } from './proposal.repository.js';

/** A proposal as any agent (built-in, language model, external) hands it in. */
export interface NewProposal {
  readonly hubId: string;
  readonly kind: ProposalKind;
  readonly origin: AgentOrigin;
  /** `builtin:<name>`, `llm:<name>`, or the external agent client's id. */
  readonly agent: string;
  readonly modelRef: string;
  readonly sources: ProposalSources;
  readonly content: string;
  readonly details: ProposalDetails;
  readonly confidence: number;
  readonly dimensions: readonly {
    dimension: ConfidenceDimension;
    score: number;
    explanation: string | null;
  }[];
  readonly submittedBy: string | null;
}

/** What became of a handed-in proposal. */
export interface WriteResult {
  readonly proposal: ProposalRow;
  /** false: an identical proposal was already stored; it is returned instead. */
  readonly created: boolean;
  /** The pending proposal of the same kind and sources this one replaced. */
  readonly supersededId: string | null;
}

/** Three decimals, as the column keeps them (so the event says what is stored). */
const round3 = (n: number): number => Math.round(n * 1000) / 1000;

/**
 * Stores proposals, in the caller's transaction: identical ones once, a newer one of the same
 * hub, kind and sources superseding the pending older one, each with its confidence
 * annotations and a `proposal.created.v1` (and `proposal.superseded.v1`) in the outbox.
 */
@Injectable()
export class ProposalWriter {
  constructor(@Inject(Outbox) private readonly outbox: Outbox) {}

  async write(em: EntityManager, p: NewProposal): Promise<WriteResult> {
    const errors = detailsErrors(p.kind, p.details);
    if (errors.length) throw new ProposalDetailsInvalidError(errors);
    const hubId = p.hubId.toLowerCase();
    const hash = proposalHash(hubId, p.kind, p.sources, p.content, p.details);
    // One writer per hub, kind and sources at a time: the identity check, the supersession and
    // the insert then see each other (two racing agents cannot both stay pending).
    const key = [p.kind, ...Object.values<string | null>({ ...p.sources })].join(':');
    await query(em, `select pg_advisory_xact_lock(hashtextextended(?, 0))`, [`${hubId}:${key}`]);
    const existing = await ProposalRepository.findByHash(em, hubId, hash);
    if (existing) return { proposal: existing, created: false, supersededId: null };

    const id = randomUUID();
    const now = new Date();
    // The superseded_by_id foreign key is deferred: the older row points at the new one first,
    // so that the one-pending-per-sources index never sees two pending rows.
    const superseded = await query<{ id: string }>(
      em,
      `update agents.agent_proposals set status = 'superseded', superseded_by_id = ?
        where hub_id = ? and status = 'pending' and proposal_type = ?
          and source_widget_id is not distinct from ?::uuid
          and source_candidate_id is not distinct from ?::uuid
          and source_thread_id is not distinct from ?::uuid
          and source_decision_id is not distinct from ?::uuid
          and source_requirement_id is not distinct from ?::uuid
        returning id`,
      [
        id,
        hubId,
        p.kind,
        p.sources.widgetId,
        p.sources.candidateId,
        p.sources.threadId,
        p.sources.decisionId,
        p.sources.requirementId,
      ],
    );
    await query(
      em,
      `insert into agents.agent_proposals (id, hub_id, proposal_type, origin, agent,
         source_widget_id, source_candidate_id, source_thread_id, source_decision_id,
         source_requirement_id, content, details, content_hash, model_ref, confidence,
         submitted_by, created_at)
       values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?, date_trunc('milliseconds', ?::timestamptz))`,
      [
        id,
        hubId,
        p.kind,
        p.origin,
        p.agent,
        p.sources.widgetId,
        p.sources.candidateId,
        p.sources.threadId,
        p.sources.decisionId,
        p.sources.requirementId,
        p.content,
        JSON.stringify(p.details),
        hash,
        p.modelRef,
        round3(p.confidence),
        p.submittedBy,
        now,
      ],
    );
    for (const d of p.dimensions) {
      await query(
        em,
        `insert into agents.confidence_annotations (proposal_id, dimension, score, explanation)
         values (?, ?, ?, ?)`,
        [id, d.dimension, round3(d.score), d.explanation],
      );
    }
    const supersededId = superseded[0]?.id ?? null;
    if (supersededId) {
      this.outbox.add(
        em,
        Subjects.Agents.ProposalSupersededV1,
        {
          proposal_id: supersededId,
          kind: p.kind,
          superseded_by_id: id,
          superseded_at: now.toISOString(),
        },
        { hubId, aggregateId: supersededId },
      );
    }
    this.outbox.add(
      em,
      Subjects.Agents.ProposalCreatedV1,
      {
        proposal_id: id,
        kind: p.kind,
        origin: p.origin,
        agent: p.agent,
        model_ref: p.modelRef,
        confidence: round3(p.confidence),
        excerpt: p.content.slice(0, 300),
        source_widget_id: p.sources.widgetId,
        source_candidate_id: p.sources.candidateId,
        source_thread_id: p.sources.threadId,
        source_decision_id: p.sources.decisionId,
        source_requirement_id: p.sources.requirementId,
        supersedes_id: supersededId,
        created_at: now.toISOString(),
      },
      { hubId, aggregateId: id },
    );
    await em.flush();
    const proposal = (await ProposalRepository.find(em, id)) as ProposalRow;
    return { proposal, created: true, supersededId };
  }
}
