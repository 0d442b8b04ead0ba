import { HubAccessDeniedException } from '../auth.errors.js';
import { type AuthenticatedUser } from '../jwt/authenticated-user.js';

/**
 * Hub scope rules (ARCHITECTURE.md: a user sees and changes only the hubs it is a member of).
 *
 * - Members act in the hubs listed in their token's `hubs` claim.
 * - `admin` acts in every hub: admins create hubs and manage memberships, so scoping them would
 *   only force them to add themselves everywhere. Role checks still apply separately.
 *
 * Which status a violation gets:
 * - A hub the caller named itself (`/hubs/:hubId/...`, a `hub_id` filter or body field):
 *   {@link assertHubAccess}, 403 `AUTH.HUB_ACCESS_DENIED`. Hub ids are random UUIDs the caller
 *   already holds, so the 403 reveals nothing and tells a legitimate user what is wrong.
 * - A resource addressed by its own id (a candidate, an annotation): load it, then check its hub
 *   with {@link canAccessHub} and answer the service's own 404 (`FEEDBACK.CANDIDATE_NOT_FOUND`)
 *   when it fails, exactly as for a missing row, so other hubs' data cannot be probed.
 * - Lists: filter by {@link accessibleHubIds} in the query, never after loading.
 */

/** Whether `user` may act in `hubId`. */
export function canAccessHub(user: AuthenticatedUser, hubId: string): boolean {
  return user.roles.includes('admin') || user.hubIds.includes(hubId.toLowerCase());
}

/**
 * Throws {@link HubAccessDeniedException} (403) unless `user` may act in `hubId`.
 * For hubs the caller named itself; see the module notes for resources addressed by their own id.
 */
export function assertHubAccess(user: AuthenticatedUser, hubId: string): void {
  if (!canAccessHub(user, hubId)) throw new HubAccessDeniedException();
}

/**
 * The hubs `user` may act in, for filtering queries: `'all'` for admins, else the member hubs
 * (possibly empty: then the query must return nothing, not everything).
 */
export function accessibleHubIds(user: AuthenticatedUser): 'all' | readonly string[] {
  return user.roles.includes('admin') ? 'all' : user.hubIds;
}
