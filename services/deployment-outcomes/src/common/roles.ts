import { type AuthenticatedUser, canAccessHub, Role } from '@ihf/auth';

/** Who records deployments by hand: the hub's governors (and admins). */
export const RECORD_ROLES = [Role.Admin, Role.Governor] as const;

/** Who calls the deployment hook: a pipeline's machine credential. */
export const HOOK_ROLES = [Role.Deployer] as const;

/** Who evaluates a deployment: a governor or reviewer of the hub (or an admin). */
export const EVALUATE_ROLES = [Role.Admin, Role.Governor, Role.Reviewer] as const;

/** Who adds manual signals: people who govern or review, and tools (agents, pipelines). */
export const SIGNAL_ROLES = [
  Role.Admin,
  Role.Governor,
  Role.Reviewer,
  Role.Agent,
  Role.Deployer,
] as const;

/** Whether `user` holds one of `roles` and may act in `hubId`. */
export function actsInHub(
  user: AuthenticatedUser,
  hubId: string,
  roles: readonly string[],
): boolean {
  return user.roles.some((r) => roles.includes(r)) && canAccessHub(user, hubId);
}
