import { type AuthenticatedUser, accessibleHubIds } from '@ihf/auth';
import { pgArray } from './sql.js';

/**
 * A SQL condition limiting `column` to the hubs `user` may see, and its parameters: nothing for
 * admins, `column = any(?)` for members (an empty list matches nothing, never everything).
 */
export function hubScopeCondition(
  user: AuthenticatedUser,
  column: string,
): { sql: string; params: unknown[] } {
  const hubs = accessibleHubIds(user);
  if (hubs === 'all') return { sql: 'true', params: [] };
  return { sql: `${column} = any(?::uuid[])`, params: [pgArray(hubs.map((h) => h.toLowerCase()))] };
}
