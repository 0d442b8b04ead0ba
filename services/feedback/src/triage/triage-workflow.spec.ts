import { CANDIDATE_STATUSES, type CandidateStatus } from '@ihf/contracts';
import { allowedTransitions, canTransition, TRANSITIONS } from './triage-workflow.js';

describe('triage workflow', () => {
  it('allows exactly the documented transitions to people', () => {
    const allowed: [CandidateStatus, CandidateStatus][] = [];
    for (const from of CANDIDATE_STATUSES) {
      for (const to of CANDIDATE_STATUSES) if (canTransition(from, to)) allowed.push([from, to]);
    }
    expect(allowed).toEqual([
      ['open', 'in_review'],
      ['open', 'duplicate'],
      ['in_review', 'accepted'],
      ['in_review', 'rejected'],
      ['in_review', 'deferred'],
      ['in_review', 'duplicate'],
      ['deferred', 'open'],
      ['deferred', 'duplicate'],
    ]);
  });

  it('leaves promotion of an accepted candidate to governance', () => {
    expect(allowedTransitions('accepted')).toEqual([]);
    expect(canTransition('accepted', 'promoted')).toBe(false);
    expect(canTransition('accepted', 'promoted', 'governance')).toBe(true);
    for (const from of CANDIDATE_STATUSES.filter((s) => s !== 'accepted')) {
      expect(canTransition(from, 'promoted', 'governance')).toBe(false);
    }
  });

  it('has final statuses and no self-transitions', () => {
    for (const final of ['rejected', 'duplicate', 'promoted'] as const) {
      expect(TRANSITIONS[final]).toEqual([]);
    }
    for (const status of CANDIDATE_STATUSES) expect(canTransition(status, status)).toBe(false);
  });

  it('lets every still-open status be marked duplicate', () => {
    for (const from of ['open', 'in_review', 'deferred'] as const) {
      expect(canTransition(from, 'duplicate')).toBe(true);
    }
  });
});
