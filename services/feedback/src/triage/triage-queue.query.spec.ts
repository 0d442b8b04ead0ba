import { type AuthenticatedUser } from '@ihf/auth';
import { buildTriageQueueSql } from './triage-queue.query.js';

const hubA = '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d';
const member: AuthenticatedUser = { id: 'u1', roles: ['triager'], hubIds: [hubA], kind: 'user' };
const admin: AuthenticatedUser = { id: 'a1', roles: ['admin'], hubIds: [], kind: 'user' };
const noHubs: AuthenticatedUser = { ...member, hubIds: [] };

describe('triage queue SQL', () => {
  it('scopes members to their hubs (none means nothing) and admins to all', () => {
    expect(buildTriageQueueSql(member, {}, 50, undefined).pageParams).toEqual([hubA, 51]);
    const twoHubs = { ...member, hubIds: [hubA, 'b'] };
    expect(buildTriageQueueSql(twoHubs, {}, 50, undefined).pageParams[0]).toBe(`{${hubA},b}`);
    expect(buildTriageQueueSql(noHubs, {}, 50, undefined).pageParams[0]).toBe('{}');
    const all = buildTriageQueueSql(admin, {}, 10, undefined);
    expect(all.pageSql).toContain('where true');
    expect(all.pageParams).toEqual([11]);
  });

  it('counts per status without the status filter and the cursor', () => {
    const at = '2026-11-27T20:00:00.000001Z';
    const sql = buildTriageQueueSql(
      member,
      { status: ['open', 'deferred'], severity: ['high'], assignee: 'me', q: ' login ' },
      20,
      { rank: 3, at, id: hubA },
    );
    expect(sql.countSql).not.toMatch(/c\.status =/);
    expect(sql.countParams).toEqual([hubA, 'high', 'u1', 'login']);
    expect(sql.pageParams).toEqual([
      hubA,
      'high',
      'u1',
      'login',
      '{open,deferred}',
      3,
      3,
      at,
      hubA,
      21,
    ]);
    expect(sql.pageSql).toMatch(/order by c\.severity_rank desc, c\.created_at, c\.id limit \?$/);
  });

  it('filters unassigned candidates without a parameter', () => {
    const sql = buildTriageQueueSql(admin, { assignee: 'none' }, 5, undefined);
    expect(sql.pageSql).toContain('not exists');
    expect(sql.pageParams).toEqual([6]);
  });
});
