import { type AuthenticatedUser, canAccessHub, Role } from '@ihf/auth';

/** Who reviews proposals: the people who triage, review and govern a hub (and admins). */
export const REVIEW_ROLES = [Role.Admin, Role.Reviewer, Role.Triager, Role.Governor] as const;

/** Who reads the queue and scorecards: every person of a hub (agents read nothing back but their own posts). */
export const READ_ROLES = [...REVIEW_ROLES, Role.Viewer] as const;

/** Whether `user` is a person who may review proposals of `hubId`. */
export function reviewsHub(user: AuthenticatedUser, hubId: string): boolean {
  return (
    user.kind === 'user' &&
    user.roles.some((r) => (REVIEW_ROLES as readonly string[]).includes(r)) &&
    canAccessHub(user, hubId)
  );
}
