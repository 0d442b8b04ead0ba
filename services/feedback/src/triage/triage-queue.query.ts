import { type CursorPosition, cursorTimeSql } from '@ihf/platform';
import { type AuthenticatedUser, hubScopeCondition } from '@ihf/auth';
import { CANDIDATE_COLUMNS } from '../candidates/candidate.repository.js';
import { pgArray } from '@ihf/persistence';
import { type TriageQueueQuery } from './dto/triage.dto.js';

/**
 * `column = ?` for one value (an index on the column then yields rows in the queue's order),
 * `column = any(?)` for several.
 */
function oneOf(column: string, values: readonly string[]): [string, ...unknown[]] {
  return values.length === 1
    ? [`${column} = ?`, values[0]]
    : [`${column} = any(?::text[])`, pgArray(values)];
}

/** The two statements of one queue request, with `?` placeholders. */
export interface TriageQueueSql {
  /** One page (limit + 1 rows), most severe first, then oldest, then id. */
  readonly pageSql: string;
  readonly pageParams: unknown[];
  /** Candidates per status under the same filters, except status and cursor. */
  readonly countSql: string;
  readonly countParams: unknown[];
}

/**
 * Builds the queue's SQL for `user` (hub scope), the filters of `q` and the position `after`.
 * The order `severity_rank desc, created_at, id` is the order of the
 * `requirement_candidates_queue*` indexes, so a first page reads only the rows it returns;
 * `bench/feedback` records the plans. Exported for the benchmark.
 */
export function buildTriageQueueSql(
  user: AuthenticatedUser,
  q: TriageQueueQuery,
  limit: number,
  after: CursorPosition | undefined,
): TriageQueueSql {
  const scope = hubScopeCondition(user, 'c.hub_id');
  const where: string[] = [scope.sql];
  const params: unknown[] = [...scope.params];
  const add = (sql: string, ...values: unknown[]) => {
    where.push(sql);
    params.push(...values);
  };
  if (q.hub_id) add('c.hub_id = ?', q.hub_id.toLowerCase());
  if (q.widget_id) add('c.source_widget_id = ?', q.widget_id.toLowerCase());
  if (q.category?.length) add(...oneOf('c.category', q.category));
  if (q.severity?.length) add(...oneOf('c.severity', q.severity));
  if (q.assignee === 'none') {
    add('not exists (select 1 from feedback.reviewer_assignments ra where ra.candidate_id = c.id)');
  } else if (q.assignee) {
    add(
      'exists (select 1 from feedback.reviewer_assignments ra where ra.candidate_id = c.id and ra.user_id = ?)',
      q.assignee === 'me' ? user.id : q.assignee.toLowerCase(),
    );
  }
  if (q.q?.trim()) add(`c.search @@ websearch_to_tsquery('simple', ?)`, q.q.trim());

  const countSql = `select c.status, count(*)::int as n from feedback.requirement_candidates c
    where ${where.join(' and ')} group by c.status`;
  const countParams = [...params];
  if (q.status?.length) add(...oneOf('c.status', q.status));
  if (after) {
    add(
      '(c.severity_rank < ? or (c.severity_rank = ? and (c.created_at, c.id) > (?::timestamptz, ?::uuid)))',
      after.rank,
      after.rank,
      after.at,
      after.id,
    );
  }
  return {
    pageSql: `select ${CANDIDATE_COLUMNS}, ${cursorTimeSql('c.created_at')} as cursor_at
    from feedback.requirement_candidates c
    where ${where.join(' and ')}
    order by c.severity_rank desc, c.created_at, c.id limit ?`,
    pageParams: [...params, limit + 1],
    countSql,
    countParams,
  };
}
