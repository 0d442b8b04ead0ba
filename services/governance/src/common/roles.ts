import { type AuthenticatedUser, canAccessHub, Role } from '@ihf/auth';

/** Who promotes, decides and links work items: the hub's governors (and admins). */
export const GOVERN_ROLES = [Role.Admin, Role.Governor] as const;

/** Whether `user` governs `hubId` (a governor who is a member of it, or an admin). */
export function governsHub(user: AuthenticatedUser, hubId: string): boolean {
  return (
    (user.roles.includes('admin') || user.roles.includes('governor')) && canAccessHub(user, hubId)
  );
}
