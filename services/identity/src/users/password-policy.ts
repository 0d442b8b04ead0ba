/** Shortest accepted password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password (argon2 handles more; this bounds the work per request). */
export const MAX_PASSWORD_LENGTH = 256;

/** A short deny-list of passwords that meet the length rule but are guessed first. */
const COMMON_PASSWORDS = new Set([
  '123456789012',
  '1234567890123',
  'passwordpassword',
  'password1234',
  'password12345',
  'password123456',
  'password!234',
  'qwertyuiopasdf',
  'qwerty123456',
  'qwertyuiop123',
  '1q2w3e4r5t6y',
  'iloveyou1234',
  'letmein12345',
  'welcome12345',
  'welcome123456',
  'changeme1234',
  'changeme12345',
  'administrator',
  'administrator1',
  'admin1234567',
  'abc123456789',
  'aaaaaaaaaaaa',
  '111111111111',
  '000000000000',
  'monkey123456',
  'dragon123456',
  'football1234',
  'baseball1234',
  'sunshine1234',
  'trustno1trustno1',
  'correcthorsebatterystaple',
]);

/**
 * Reasons why `password` is not acceptable for the account `email` (empty when it is):
 * length, not the e-mail (or its local part), not a well-known password, not one repeated
 * character.
 */
export function passwordPolicyViolations(password: string, email: string): string[] {
  const violations: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    violations.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    violations.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
  }
  const lower = password.toLowerCase();
  const normalisedEmail = email.trim().toLowerCase();
  const localPart = normalisedEmail.split('@')[0] ?? '';
  if (lower === normalisedEmail || (localPart.length >= 4 && lower.includes(localPart))) {
    violations.push('must not be or contain the e-mail address');
  }
  if (COMMON_PASSWORDS.has(lower)) violations.push('is a commonly used password');
  if (password.length > 0 && new Set(password).size === 1) {
    violations.push('must not repeat a single character');
  }
  return violations;
}
