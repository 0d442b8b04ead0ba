import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/**
 * Hub API keys: `ihf_<prefix>_<secret>`.
 *
 * - `prefix`: 8 characters `[a-z0-9]`, stored in clear and shown in UIs and logs so a key can be
 *   recognised, looked up and revoked without revealing it.
 * - `secret`: 32 random bytes, base64url (43 characters).
 *
 * Stored as the SHA-256 of the whole key. A slow password hash (argon2id) is the right tool for
 * passwords, which are low-entropy and can be guessed; a 256-bit random secret cannot be guessed,
 * so a fast hash already makes a leaked table useless, while argon2 on every request of the
 * high-volume reporting endpoint would cost tens of milliseconds of CPU and memory each and turn
 * invalid keys into a cheap denial of service.
 */
export const API_KEY_PREFIX_LENGTH = 8;
/** Random bytes in a generated secret. */
export const API_KEY_SECRET_BYTES = 32;

const PREFIX_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
// 43 base64url characters encode 32 bytes; cap the length so parsing stays cheap.
const API_KEY_RE = /^ihf_([a-z0-9]{8})_([A-Za-z0-9_-]{43,128})$/;
const SHA256_HEX_RE = /^[0-9a-f]{64}$/;

/** A freshly generated key: show `key` once, store `prefix` and `hash`. */
export interface GeneratedApiKey {
  /** The full key, `ihf_<prefix>_<secret>`. Never store it. */
  readonly key: string;
  readonly prefix: string;
  /** SHA-256 of `key`, lowercase hex (64 characters). */
  readonly hash: string;
}

/** A syntactically valid key as presented by a client. */
export interface PresentedApiKey {
  /** The full key as presented; pass it to {@link verifyApiKeyHash}. */
  readonly key: string;
  /** Look the stored key up by this. */
  readonly prefix: string;
}

/** Generates a new API key (prefix from `randomInt`, secret from `randomBytes`). */
export function generateApiKey(): GeneratedApiKey {
  let prefix = '';
  for (let i = 0; i < API_KEY_PREFIX_LENGTH; i++) {
    prefix += PREFIX_ALPHABET[randomInt(PREFIX_ALPHABET.length)];
  }
  const key = `ihf_${prefix}_${randomBytes(API_KEY_SECRET_BYTES).toString('base64url')}`;
  return { key, prefix, hash: hashApiKey(key) };
}

/**
 * Parses `ihf_<prefix>_<secret>`; `null` when malformed (wrong shape, or a secret shorter than
 * 32 bytes).
 */
export function parseApiKey(presented: string): PresentedApiKey | null {
  const match = API_KEY_RE.exec(presented);
  if (match === null) return null;
  const secret = match[2];
  if (Buffer.from(secret, 'base64url').length < API_KEY_SECRET_BYTES) return null;
  return { key: presented, prefix: match[1] };
}

/** SHA-256 of the whole key, lowercase hex. */
export function hashApiKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}

/**
 * Whether `key` hashes to `storedHash` (as produced by {@link hashApiKey}), compared in constant
 * time. A malformed `storedHash` never matches.
 */
export function verifyApiKeyHash(key: string, storedHash: string): boolean {
  if (!SHA256_HEX_RE.test(storedHash)) return false;
  const expected = Buffer.from(storedHash, 'hex');
  const actual = createHash('sha256').update(key, 'utf8').digest();
  return timingSafeEqual(actual, expected);
}
