import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, assertHubAccess } from '@ihf/auth';
import { CANDIDATE_STATUSES, type CandidateStatus } from '@ihf/contracts';
import {
  CANDIDATE_COLUMNS,
  type CandidateRow,
  type CandidateView,
  toCandidateView,
} from '../candidates/candidate.repository.js';
import { decodeCursor, type Page, toPage } from '../common/cursor.js';
import { hubScopeCondition } from '../common/hub-scope.js';
import { pgArray, query } from '../common/sql.js';
import { type TriageQueueQuery } from './dto/triage.dto.js';

const DEFAULT_PAGE_SIZE = 50;

/** A page of the queue and how many candidates each status holds under the same filters. */
export interface TriageQueuePage extends Page<CandidateView> {
  readonly counts: Record<CandidateStatus, number>;
}

/**
 * The triage queue: candidates of the caller's hubs, filtered, most severe first and then
 * oldest first, keyset-paginated on (severity rank, created_at, id) — the order of the
 * `requirement_candidates_queue*` indexes.
 */
@Injectable()
export class TriageQueueService {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async page(user: AuthenticatedUser, q: TriageQueueQuery): Promise<TriageQueuePage> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const after = decodeCursor(q.cursor, true);
    const scope = hubScopeCondition(user, 'c.hub_id');
    const where: string[] = [scope.sql];
    const params: unknown[] = [...scope.params];
    const add = (sql: string, ...values: unknown[]) => {
      where.push(sql);
      params.push(...values);
    };
    if (q.hub_id) add('c.hub_id = ?', q.hub_id.toLowerCase());
    if (q.widget_id) add('c.source_widget_id = ?', q.widget_id.toLowerCase());
    if (q.category?.length) add('c.category = any(?::text[])', pgArray(q.category));
    if (q.severity?.length) add('c.severity = any(?::text[])', pgArray(q.severity));
    if (q.assignee === 'none') {
      add(
        'not exists (select 1 from feedback.reviewer_assignments ra where ra.candidate_id = c.id)',
      );
    } else if (q.assignee) {
      const assignee = q.assignee === 'me' ? user.id : q.assignee.toLowerCase();
      add(
        'exists (select 1 from feedback.reviewer_assignments ra where ra.candidate_id = c.id and ra.user_id = ?)',
        assignee,
      );
    }
    if (q.q?.trim()) add(`c.search @@ websearch_to_tsquery('simple', ?)`, q.q.trim());

    const em = this.orm.em.fork();
    const countWhere = [...where];
    const countParams = [...params];
    if (q.status?.length) add('c.status = any(?::text[])', pgArray(q.status));
    if (after) {
      add(
        '(c.severity_rank < ? or (c.severity_rank = ? and (c.created_at, c.id) > (?, ?)))',
        after.rank,
        after.rank,
        after.at,
        after.id,
      );
    }
    const [rows, counted] = await Promise.all([
      query<CandidateRow>(
        em,
        `select ${CANDIDATE_COLUMNS} from feedback.requirement_candidates c
         where ${where.join(' and ')}
         order by c.severity_rank desc, c.created_at, c.id limit ?`,
        [...params, limit + 1],
      ),
      query<{ status: CandidateStatus; n: number }>(
        this.orm.em.fork(),
        `select c.status, count(*)::int as n from feedback.requirement_candidates c
         where ${countWhere.join(' and ')} group by c.status`,
        countParams,
      ),
    ]);
    const counts = Object.fromEntries(CANDIDATE_STATUSES.map((s) => [s, 0])) as Record<
      CandidateStatus,
      number
    >;
    for (const c of counted) counts[c.status] = c.n;
    const page = toPage(
      rows,
      limit,
      (r) => ({ rank: r.severity_rank, at: new Date(r.created_at), id: r.id }),
      toCandidateView,
    );
    return { ...page, counts };
  }
}
