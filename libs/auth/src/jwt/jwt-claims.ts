import { TokenRejectedError } from '../auth.errors.js';
import { isRole, type Role } from '../roles/role.js';
import { type AuthenticatedUser, type PrincipalKind } from './authenticated-user.js';

/**
 * The claims the identity service puts in an access token, and that every service reads.
 * Signature, `iss`, `aud`, `exp` and `nbf` are checked by jsonwebtoken before this shape is read.
 *
 * | claim   | type       | meaning                                                          |
 * | ------- | ---------- | ---------------------------------------------------------------- |
 * | `sub`   | UUID       | user id                                                          |
 * | `email` | string?    | the user's e-mail, informational                                  |
 * | `roles` | string[]   | roles, each one of `ROLES`; an unknown role rejects the token    |
 * | `hubs`  | UUID[]?    | ids of the hubs the user is a member of (absent = none)          |
 * | `kind`  | string     | `user` or `agent`                                                |
 * | `iat`   | number     | issued at (required)                                             |
 * | `exp`   | number     | expiry (required); `exp - iat` at most `maxTokenLifetimeSec`      |
 */
export interface IhfAccessTokenClaims {
  readonly sub: string;
  readonly email?: string;
  readonly roles: readonly Role[];
  readonly hubs?: readonly string[];
  readonly kind: PrincipalKind;
  readonly iss: string;
  readonly aud: string | readonly string[];
  readonly iat: number;
  readonly exp: number;
  readonly nbf?: number;
  readonly jti?: string;
}

/** Limits applied by {@link claimsToUser}. */
export interface ClaimsPolicy {
  readonly maxTokenLifetimeSec: number;
  readonly clockToleranceSec: number;
}

const UUID_RE = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const MAX_HUBS = 10_000;
const MAX_EMAIL_LENGTH = 320;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function reject(reason: string): never {
  throw new TokenRejectedError(reason);
}

/**
 * Maps verified JWT claims to an {@link AuthenticatedUser}. Pure: no I/O, only `nowSec` as input
 * besides the payload. Rejects (throws {@link TokenRejectedError}) a token without `iat`/`exp`, whose
 * lifetime exceeds the policy, issued in the future, or whose `sub`, `roles`, `hubs` or `kind` do
 * not have the documented shape (see {@link IhfAccessTokenClaims}).
 */
export function claimsToUser(
  payload: unknown,
  policy: ClaimsPolicy,
  nowSec: number = Math.floor(Date.now() / 1000),
): AuthenticatedUser {
  if (!isRecord(payload)) reject('payload is not an object');
  const { sub, email, roles, hubs, kind, iat, exp } = payload;

  if (typeof iat !== 'number' || !Number.isFinite(iat)) reject('iat missing');
  if (typeof exp !== 'number' || !Number.isFinite(exp)) reject('exp missing');
  if (exp - iat > policy.maxTokenLifetimeSec) {
    reject(`lifetime ${exp - iat}s exceeds ${policy.maxTokenLifetimeSec}s`);
  }
  if (exp <= iat) reject('exp is not after iat');
  if (iat > nowSec + policy.clockToleranceSec) reject('iat is in the future');

  if (typeof sub !== 'string' || !UUID_RE.test(sub)) reject('sub is not a UUID');
  if (email !== undefined && (typeof email !== 'string' || email.length > MAX_EMAIL_LENGTH)) {
    reject('email is not a string');
  }
  if (!Array.isArray(roles)) reject('roles missing');
  const unknownRole = (roles as unknown[]).find((r) => !isRole(r));
  if (unknownRole !== undefined) reject(`unknown role ${JSON.stringify(unknownRole)}`);
  if (hubs !== undefined) {
    if (!Array.isArray(hubs) || hubs.length > MAX_HUBS) reject('hubs is not an array');
    if (!(hubs as unknown[]).every((h) => typeof h === 'string' && UUID_RE.test(h))) {
      reject('hubs holds a non-UUID');
    }
  }
  if (kind !== 'user' && kind !== 'agent') reject('kind is not user or agent');

  const user: AuthenticatedUser = {
    id: sub.toLowerCase(),
    roles: [...new Set(roles as Role[])],
    hubIds: [...new Set(((hubs ?? []) as string[]).map((h) => h.toLowerCase()))],
    kind,
  };
  return typeof email === 'string' ? { ...user, email } : user;
}
