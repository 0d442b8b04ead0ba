import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { TransitionDto, TriageQueueQuery } from './triage.dto.js';

/** What the service's validation pipe does with a query string or body. */
function check<T extends object>(cls: new () => T, plain: Record<string, unknown>) {
  const value = plainToInstance(cls, plain);
  const errors = validateSync(value, {
    whitelist: true,
    forbidNonWhitelisted: true,
    forbidUnknownValues: true,
  });
  return { value, invalid: errors.map((e) => e.property) };
}

describe('triage DTOs', () => {
  it('reads list filters given once, repeated or comma-separated', () => {
    expect(check(TriageQueueQuery, { status: 'open' }).value.status).toEqual(['open']);
    expect(check(TriageQueueQuery, { status: 'open,in_review' }).value.status).toEqual([
      'open',
      'in_review',
    ]);
    expect(check(TriageQueueQuery, { severity: ['high', 'critical,low'] }).value.severity).toEqual([
      'high',
      'critical',
      'low',
    ]);
    expect(check(TriageQueueQuery, { limit: '20' }).value.limit).toBe(20);
  });

  it('refuses unknown values, bad assignees and oversized pages', () => {
    expect(
      check(TriageQueueQuery, {
        status: 'open,closed',
        category: 'rant',
        severity: 'urgent',
        assignee: 'someone',
        limit: '500',
        hub_id: 'hub-1',
      }).invalid.sort(),
    ).toEqual(['assignee', 'category', 'hub_id', 'limit', 'severity', 'status']);
    for (const assignee of ['me', 'none', '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d']) {
      expect(check(TriageQueueQuery, { assignee }).invalid).toEqual([]);
    }
  });

  it('needs a known target status for a transition', () => {
    expect(check(TransitionDto, {}).invalid).toEqual(['to']);
    expect(check(TransitionDto, { to: 'closed' }).invalid).toEqual(['to']);
    expect(
      check(TransitionDto, { to: 'duplicate', duplicate_of_id: 'x', expected_version: 0 }).invalid,
    ).toEqual(['duplicate_of_id', 'expected_version']);
    expect(
      check(TransitionDto, { to: 'accepted', notes: 'ok', expected_version: 3 }).invalid,
    ).toEqual([]);
  });
});
