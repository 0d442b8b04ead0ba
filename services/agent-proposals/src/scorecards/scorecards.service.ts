import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, assertHubAccess, hubScopeCondition } from '@ihf/auth';
import { type ProposalKind, type ProposalStatus, type ReviewDecision } from '@ihf/contracts';
import { query } from '@ihf/persistence';
import { CALIBRATION_BUCKETS, type OutcomeGroup, scorecardOf } from './calibration.js';
import { type ScorecardListView, type ScorecardsQuery } from './dto/scorecard.dto.js';

interface GroupRow {
  agent: string;
  model_ref: string;
  proposal_type: ProposalKind;
  status: ProposalStatus;
  decision: ReviewDecision | null;
  bucket: number;
  n: string;
  sum_confidence: string;
  sum_squared_error: string;
}

/** Scorecards per agent, model and kind, from the proposals and their reviews. */
@Injectable()
export class ScorecardsService {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async list(user: AuthenticatedUser, q: ScorecardsQuery): Promise<ScorecardListView> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const scope = q.hub_id
      ? { sql: 'p.hub_id = ?', params: [q.hub_id.toLowerCase()] as unknown[] }
      : hubScopeCondition(user, 'p.hub_id');
    const where = [scope.sql];
    const params = [...scope.params];
    if (q.kind) {
      where.push('p.proposal_type = ?');
      params.push(q.kind);
    }
    if (q.model_ref) {
      where.push('p.model_ref = ?');
      params.push(q.model_ref);
    }
    // Grouped in SQL, so the answer's cost does not grow with the number of proposals.
    const rows = await query<GroupRow>(
      this.orm.em.fork(),
      `select p.agent, p.model_ref, p.proposal_type, p.status, r.decision,
              least(floor(p.confidence * ${CALIBRATION_BUCKETS}), ${CALIBRATION_BUCKETS - 1})::int as bucket,
              count(*) as n, sum(p.confidence) as sum_confidence,
              coalesce(sum(case when r.decision is null then 0
                                when r.decision = 'rejected' then p.confidence ^ 2
                                else (1 - p.confidence) ^ 2 end), 0) as sum_squared_error
         from agents.agent_proposals p
         left join agents.agent_review_records r on r.proposal_id = p.id
        where ${where.join(' and ')}
        group by 1, 2, 3, 4, 5, 6
        order by 1, 2, 3`,
      params,
    );
    const byKey = new Map<
      string,
      { agent: string; model_ref: string; kind: ProposalKind; groups: OutcomeGroup[] }
    >();
    for (const r of rows) {
      const key = `${r.agent}\u0000${r.model_ref}\u0000${r.proposal_type}`;
      const entry = byKey.get(key) ?? {
        agent: r.agent,
        model_ref: r.model_ref,
        kind: r.proposal_type,
        groups: [],
      };
      entry.groups.push({
        status: r.status,
        decision: r.decision,
        bucket: r.bucket,
        n: Number(r.n),
        sumConfidence: Number(r.sum_confidence),
        sumSquaredError: Number(r.sum_squared_error),
      });
      byKey.set(key, entry);
    }
    return {
      items: [...byKey.values()].map((e) => ({
        agent: e.agent,
        model_ref: e.model_ref,
        kind: e.kind,
        ...scorecardOf(e.groups),
      })),
    };
  }
}
