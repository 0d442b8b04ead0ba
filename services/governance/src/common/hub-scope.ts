import { type AuthenticatedUser, accessibleHubIds } from '@ihf/auth';
import { pgArray } from './sql.js';

/**
 * A SQL condition limiting `column` to the hubs `user` may see, and its parameters: nothing for
 * admins, `column = ?` / `column = any(?)` for members (an empty list matches nothing, never
 * everything).
 */
export function hubScopeCondition(
  user: AuthenticatedUser,
  column: string,
): { sql: string; params: unknown[] } {
  const hubs = accessibleHubIds(user);
  if (hubs === 'all') return { sql: 'true', params: [] };
  // One hub as `=`: the planner then walks a (hub_id, …) index in order.
  if (hubs.length === 1) return { sql: `${column} = ?`, params: [hubs[0].toLowerCase()] };
  return { sql: `${column} = any(?::uuid[])`, params: [pgArray(hubs.map((h) => h.toLowerCase()))] };
}
