import { ROLES, type RoleName } from '@ihf/contracts';

/**
 * The roles a principal can hold (ARCHITECTURE.md, "Identity and access"): the one value set of
 * `@ihf/contracts`, which identity's events and `roles` claim carry too.
 */
export { ROLES };

/** One of {@link ROLES}. */
export type Role = RoleName;

/**
 * Named constants for {@link Role}, so that call sites read `@Roles(Role.Triager)`; plain string
 * literals (`@Roles('triager')`) are equally type-checked.
 */
export const Role = {
  Admin: 'admin',
  Triager: 'triager',
  Reviewer: 'reviewer',
  Governor: 'governor',
  Viewer: 'viewer',
  Agent: 'agent',
  Deployer: 'deployer',
} as const satisfies Record<string, Role>;

const roleSet: ReadonlySet<string> = new Set(ROLES);

/** Whether `value` is a known {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && roleSet.has(value);
}
