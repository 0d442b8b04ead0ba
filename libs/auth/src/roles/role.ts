/**
 * The roles a principal can hold (ARCHITECTURE.md, "Identity and access").
 *
 * Kept in sync by hand with `ROLES` in `@ihf/contracts` (identity events); both mirror the roles
 * the identity service issues in the `roles` claim.
 */
export const ROLES = ['admin', 'triager', 'reviewer', 'governor', 'viewer', 'agent'] as const;

/** One of {@link ROLES}. */
export type Role = (typeof ROLES)[number];

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
} as const satisfies Record<string, Role>;

const roleSet: ReadonlySet<string> = new Set(ROLES);

/** Whether `value` is a known {@link Role}. */
export function isRole(value: unknown): value is Role {
  return typeof value === 'string' && roleSet.has(value);
}
