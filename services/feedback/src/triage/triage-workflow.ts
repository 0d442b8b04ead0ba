import { type CandidateStatus } from '@ihf/contracts';

/** Who asks for a transition: a person over HTTP (or an accepted proposal), or governance. */
export type TransitionActor = 'user' | 'governance';

/**
 * The triage workflow, explicitly: from each status, the statuses a candidate may move to.
 * `promoted` is reached only when governance promotes an accepted candidate; `rejected`,
 * `duplicate` and `promoted` are final.
 */
export const TRANSITIONS: Readonly<Record<CandidateStatus, readonly CandidateStatus[]>> = {
  open: ['in_review', 'duplicate'],
  in_review: ['accepted', 'rejected', 'deferred', 'duplicate'],
  deferred: ['open', 'duplicate'],
  accepted: ['promoted'],
  rejected: [],
  duplicate: [],
  promoted: [],
};

/** Statuses only governance moves a candidate to. */
const GOVERNANCE_ONLY: ReadonlySet<CandidateStatus> = new Set(['promoted']);

/** Statuses in which a candidate is still being triaged. */
export const OPEN_STATUSES: readonly CandidateStatus[] = ['open', 'in_review', 'deferred'];

/** The statuses `actor` may move a candidate in `from` to. */
export function allowedTransitions(
  from: CandidateStatus,
  actor: TransitionActor = 'user',
): CandidateStatus[] {
  return TRANSITIONS[from].filter((to) => actor === 'governance' || !GOVERNANCE_ONLY.has(to));
}

/** Whether `actor` may move a candidate from `from` to `to`. */
export function canTransition(
  from: CandidateStatus,
  to: CandidateStatus,
  actor: TransitionActor = 'user',
): boolean {
  return allowedTransitions(from, actor).includes(to);
}
