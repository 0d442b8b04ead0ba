import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as zxcvbnCommon from '@zxcvbn-ts/language-common';
import * as zxcvbnEn from '@zxcvbn-ts/language-en';

/** Shortest accepted password. */
export const MIN_PASSWORD_LENGTH = 12;
/** Longest accepted password (argon2 handles more; this bounds the work per request). */
export const MAX_PASSWORD_LENGTH = 256;
/**
 * Lowest accepted zxcvbn score (0-4). 3 is "safely unguessable": about 10^10 guesses, out of
 * reach of an online attack and costly offline against argon2id.
 */
export const MIN_PASSWORD_SCORE = 3;

// Built once per process: loading the dictionaries (common passwords, English words and names)
// is the expensive part; a check afterwards takes milliseconds.
const zxcvbn = new ZxcvbnFactory({
  dictionary: { ...zxcvbnCommon.dictionary, ...zxcvbnEn.dictionary },
  graphs: zxcvbnCommon.adjacencyGraphs,
  translations: zxcvbnEn.translations,
  // The estimate runs on the event loop and grows fast with length and l33t-able characters
  // (a 256-character pattern took seconds): only the first 64 characters are judged (a strong
  // password passes on its own), with at most 10 l33t substitutions tried (same scores on the
  // passwords tested, about 20x faster on symbol-heavy ones).
  maxLength: 64,
  l33tMaxSubstitutions: 10,
});

/**
 * Reasons why `password` is not acceptable for the account `email` (empty when it is):
 * length, not the e-mail (or its local part), and a zxcvbn strength estimate (common-password
 * and word dictionaries, keyboard patterns, l33t, dates, repeats) of at least
 * {@link MIN_PASSWORD_SCORE}, whose feedback says why a weak one is weak.
 */
export function passwordPolicyViolations(password: string, email: string): string[] {
  const violations: string[] = [];
  if (password.length < MIN_PASSWORD_LENGTH) {
    violations.push(`must be at least ${MIN_PASSWORD_LENGTH} characters long`);
  }
  if (password.length > MAX_PASSWORD_LENGTH) {
    // Not estimated: the bound is also what keeps the estimate fast.
    violations.push(`must be at most ${MAX_PASSWORD_LENGTH} characters long`);
    return violations;
  }
  const lower = password.toLowerCase();
  const normalisedEmail = email.trim().toLowerCase();
  const localPart = normalisedEmail.split('@')[0] ?? '';
  if (lower === normalisedEmail || (localPart.length >= 4 && lower.includes(localPart))) {
    violations.push('must not be or contain the e-mail address');
  }
  const result = zxcvbn.check(password, [normalisedEmail, localPart]);
  if (result.score < MIN_PASSWORD_SCORE) {
    const why = [result.feedback.warning, ...result.feedback.suggestions]
      .filter((s): s is string => typeof s === 'string' && s.length > 0)
      .join(' ');
    violations.push(
      `is too easy to guess (strength ${result.score} of 4, at least ${MIN_PASSWORD_SCORE} needed)${
        why ? `: ${why}` : ''
      }`,
    );
  }
  return violations;
}
