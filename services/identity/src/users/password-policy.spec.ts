import { MAX_PASSWORD_LENGTH, passwordPolicyViolations } from './password-policy.js';

describe('passwordPolicyViolations', () => {
  const email = 'ada.lovelace@ihf.test';

  it.each(['Orbit-Lantern-Pebble-19', 'Tidy-Harbour-Lantern-93', 'correct horse battery staple'])(
    'accepts the long, unrelated %j',
    (password) => {
      expect(passwordPolicyViolations(password, email)).toEqual([]);
    },
  );

  it.each([
    ['short', 'at least 12'],
    ['x'.repeat(257), 'at most 256'],
    ['ADA.LOVELACE@ihf.test', 'e-mail'],
    ['my-ada.lovelace-2026', 'e-mail'],
    // Common passwords that meet the length rule: refused by the estimator, with its reason.
    ['Password123!', 'commonly used password'],
    ['P@ssw0rd1234', 'similar to a commonly used password'],
    ['password1234', 'commonly used password'],
    ['qwertyuiop123', 'commonly used password'],
    ['aaaaaaaaaaaaaa', 'Repeated characters'],
    ['abcabcabcabcabc', 'Repeated character patterns'],
  ])('refuses %j (%s)', (password, reason) => {
    const violations = passwordPolicyViolations(password, email).join('; ');
    expect(violations).toContain(reason);
  });

  it('says how strong the password is and what would help', () => {
    const [violation] = passwordPolicyViolations('P@ssw0rd1234', email);
    expect(violation).toMatch(/^is too easy to guess \(strength [0-2] of 4, at least 3 needed\): /);
    expect(violation).toContain("Avoid predictable letter substitutions like '@' for 'a'.");
  });

  it('stays fast on long, symbol-heavy input (the estimate runs on the event loop)', () => {
    passwordPolicyViolations('warm-up-the-dictionaries', email);
    const started = performance.now();
    for (const p of ['aB3$'.repeat(64), 'Xy9!Qw'.repeat(42), '1qaz2wsx'.repeat(32)]) {
      passwordPolicyViolations(p.slice(0, MAX_PASSWORD_LENGTH), email);
    }
    // Measured about 0.3 s for the three under a load of 10 on 2 cores; over 10 s without the bounds.
    expect(performance.now() - started).toBeLessThan(3_000);
  });
});
