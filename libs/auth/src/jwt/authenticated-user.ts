import { type PrincipalKind } from '@ihf/contracts';
import { type Role } from '../roles/role.js';

/** Whether the principal is a person or an agent client (the value set of `@ihf/contracts`). */
export type { PrincipalKind };

/**
 * The principal of a request authenticated with a user JWT, as `@CurrentUser()` returns it.
 * Built from the token's claims only (no database): see {@link claimsToUser} for the claim names.
 */
export interface AuthenticatedUser {
  /** User id (`sub`), a UUID. */
  readonly id: string;
  /** `email`, when the token carries it. */
  readonly email?: string;
  /** Roles (`roles`); each a known {@link Role}. */
  readonly roles: readonly Role[];
  /** Hubs the principal is a member of (`hubs`), UUIDs. */
  readonly hubIds: readonly string[];
  /** `kind`: `user` or `agent`. */
  readonly kind: PrincipalKind;
}
