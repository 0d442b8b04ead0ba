import { createHash, randomBytes } from 'node:crypto';
import { type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { RefreshToken } from './refresh-token.entity.js';

/** A new opaque refresh token: 256 random bits, base64url. */
export function generateRefreshToken(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * What is stored of a refresh token. SHA-256 suffices: the token is 256 random bits, not a
 * guessable password (the same reasoning as `hashApiKey` in `@ihf/auth`).
 */
export function hashRefreshToken(token: string): string {
  return createHash('sha256').update(token, 'utf8').digest('hex');
}

/**
 * Takes the transaction-scoped advisory lock of each refresh-token family, in a stable order
 * (no deadlock between two callers locking overlapping sets). Rotation and revocation of a
 * family both hold it, so a revoking UPDATE runs after (and sees) the successor a concurrent
 * refresh inserted, or the refresh runs after the revocation and finds its token revoked.
 */
export async function lockFamilies(em: EntityManager, familyIds: readonly string[]): Promise<void> {
  for (const familyId of [...new Set(familyIds)].sort()) {
    await (em as unknown as SqlEntityManager).execute(
      `select pg_advisory_xact_lock(hashtextextended(?, 0))`,
      [`identity.refresh_family:${familyId}`],
    );
  }
}

/**
 * Locks every refresh-token family of a user that still has a live token. Taken before the
 * user's row lock: a refresh takes its family's lock, then the user row (FOR SHARE), then its
 * token, so the other order deadlocks. A family created after this read (a sign-in) is
 * rotated only after the caller's user lock is released, and then finds its token revoked.
 */
export async function lockSessionsOf(em: EntityManager, userId: string): Promise<void> {
  const families = await (em as unknown as SqlEntityManager).execute<{ family_id: string }[]>(
    // Only a family's unused token can be rotated (a used one is only ever revoked).
    `select distinct family_id from "identity".refresh_tokens
     where user_id = ? and revoked_at is null and used_at is null`,
    [userId],
  );
  await lockFamilies(
    em,
    families.map((f) => f.family_id),
  );
}

/**
 * Revokes every live refresh token of a user, after {@link lockSessionsOf} (the caller also
 * moves `sessions_valid_after`, which catches a family this missed).
 */
export async function revokeAllSessions(
  em: EntityManager,
  userId: string,
  now: Date,
): Promise<void> {
  await em.nativeUpdate(RefreshToken, { userId, revokedAt: null }, { revokedAt: now });
}
