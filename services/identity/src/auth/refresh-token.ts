import { createHash, randomBytes } from 'node:crypto';

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
