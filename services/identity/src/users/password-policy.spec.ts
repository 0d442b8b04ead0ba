import { passwordPolicyViolations } from './password-policy.js';

describe('passwordPolicyViolations', () => {
  const email = 'ada.lovelace@ihf.test';

  it('accepts a long, unrelated password', () => {
    expect(passwordPolicyViolations('Orbit-Lantern-Pebble-19', email)).toEqual([]);
  });

  it.each([
    ['short', 'at least 12'],
    ['x'.repeat(257), 'at most 256'],
    ['ADA.LOVELACE@ihf.test', 'e-mail'],
    ['my-ada.lovelace-2026', 'e-mail'],
    ['password1234', 'commonly used'],
    ['aaaaaaaaaaaaaa', 'single character'],
  ])('refuses %j (%s)', (password, reason) => {
    expect(passwordPolicyViolations(password, email).join('; ')).toContain(reason);
  });
});
