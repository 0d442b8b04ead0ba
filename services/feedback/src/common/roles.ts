import { type AuthenticatedUser, Role } from '@ihf/auth';

/** Who works the triage queue: threads, escalation, transitions and assignment. */
export const TRIAGE_ROLES = [Role.Admin, Role.Triager] as const;

/** Who may move a candidate through review (triagers and the reviewers they assign). */
export const REVIEW_ROLES = [Role.Admin, Role.Triager, Role.Reviewer] as const;

/** Whether `user` triages (may act on other people's annotations). */
export function isTriager(user: AuthenticatedUser): boolean {
  return user.roles.includes('admin') || user.roles.includes('triager');
}
