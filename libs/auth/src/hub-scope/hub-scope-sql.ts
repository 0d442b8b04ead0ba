import { type AuthenticatedUser } from '../jwt/authenticated-user.js';
import { accessibleHubIds } from './hub-scope.js';

/**
 * A SQL condition (with `?` placeholders) limiting `column` to the hubs `user` may see, and its
 * parameters: nothing for admins, `column = ?` / `column = any(?::uuid[])` for members (an
 * empty list matches nothing, never everything). Hub ids are UUIDs from a verified token, so
 * the array literal needs no quoting.
 */
export function hubScopeCondition(
  user: AuthenticatedUser,
  column: string,
): { sql: string; params: unknown[] } {
  const hubs = accessibleHubIds(user);
  if (hubs === 'all') return { sql: 'true', params: [] };
  // One hub as `=`: the planner then walks a (hub_id, …) index in order.
  if (hubs.length === 1) return { sql: `${column} = ?`, params: [hubs[0].toLowerCase()] };
  return {
    sql: `${column} = any(?::uuid[])`,
    params: [`{${hubs.map((h) => h.toLowerCase()).join(',')}}`],
  };
}
