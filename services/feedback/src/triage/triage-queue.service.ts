import { decodeCursor, type Page, toPage } from '@ihf/platform';
import { Inject, Injectable } from '@nestjs/common';
import { MikroORM } from '@mikro-orm/core';
import { type AuthenticatedUser, assertHubAccess } from '@ihf/auth';
import { CANDIDATE_STATUSES, type CandidateStatus } from '@ihf/contracts';
import {
  type CandidateRow,
  type CandidateView,
  toCandidateView,
} from '../candidates/candidate.repository.js';
import { query } from '@ihf/persistence';
import { type TriageQueueQuery } from './dto/triage.dto.js';
import { buildTriageQueueSql } from './triage-queue.query.js';

const DEFAULT_PAGE_SIZE = 50;

/** A page of the queue and how many candidates each status holds under the same filters. */
export interface TriageQueuePage extends Page<CandidateView> {
  readonly counts: Record<CandidateStatus, number>;
}

/**
 * The triage queue: candidates of the caller's hubs, filtered, most severe first and then
 * oldest first, keyset-paginated on (severity rank, created_at, id).
 */
@Injectable()
export class TriageQueueService {
  constructor(@Inject(MikroORM) private readonly orm: MikroORM) {}

  async page(user: AuthenticatedUser, q: TriageQueueQuery): Promise<TriageQueuePage> {
    if (q.hub_id) assertHubAccess(user, q.hub_id);
    const limit = q.limit ?? DEFAULT_PAGE_SIZE;
    const sql = buildTriageQueueSql(user, q, limit, decodeCursor(q.cursor, true));
    // Two connections: the page and the counts run side by side.
    const [rows, counted] = await Promise.all([
      query<CandidateRow & { cursor_at: string }>(this.orm.em.fork(), sql.pageSql, sql.pageParams),
      query<{ status: CandidateStatus; n: number }>(
        this.orm.em.fork(),
        sql.countSql,
        sql.countParams,
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
      (r) => ({ rank: r.severity_rank, at: r.cursor_at, id: r.id }),
      toCandidateView,
    );
    return { ...page, counts };
  }
}
