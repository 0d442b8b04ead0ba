import { type User } from './user.entity.js';

/**
 * Moves the user to its next version (the `aggregate_version` of the events the change emits
 * in the same transaction; the row is locked, so versions are never shared by two changes).
 * Call once per change, before adding its events (the events of one change share a version).
 */
export function bumpVersion(user: User, now: Date): void {
  user.version += 1;
  user.updatedAt = now;
}
