import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { IdentityConfig } from './identity.config.js';

describe('IdentityConfig', () => {
  it('has the documented defaults', () => {
    expect(loadConfig(IdentityConfig, {})).toMatchObject({
      IHF_JWT_ISSUER: 'ihf-identity',
      IHF_JWT_AUDIENCE: 'ihf',
      IHF_ACCESS_TOKEN_TTL_SEC: 900,
      IHF_REFRESH_TOKEN_TTL_SEC: 1_209_600,
      IHF_LOGIN_MAX_FAILURES: 5,
      IHF_LOGIN_LOCKOUT_COOLDOWN_SEC: 900,
      IHF_ARGON2_MEMORY_KIB: 19456,
      IHF_ARGON2_ITERATIONS: 2,
      IHF_ARGON2_PARALLELISM: 1,
      IHF_JWT_DEV_KEY_DIR: '.ihf/keys',
    });
  });

  it('refuses access tokens living longer than services accept, and a malformed admin e-mail', () => {
    let error: unknown;
    try {
      loadConfig(IdentityConfig, { IHF_ACCESS_TOKEN_TTL_SEC: '7200', IHF_ADMIN_EMAIL: 'admin' });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    const variables = (error as ConfigValidationError).problems.map((p) => p.variable).sort();
    expect(variables).toEqual(['IHF_ACCESS_TOKEN_TTL_SEC', 'IHF_ADMIN_EMAIL']);
  });

  it('accepts an admin e-mail without a password (the secret may be gone once the admin exists)', () => {
    expect(loadConfig(IdentityConfig, { IHF_ADMIN_EMAIL: 'admin@example.org' })).toMatchObject({
      IHF_ADMIN_EMAIL: 'admin@example.org',
      IHF_ADMIN_PASSWORD: undefined,
    });
  });
});
