import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { GovernanceConfig } from './governance.config.js';

describe('GovernanceConfig', () => {
  const jwks = { IHF_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' };

  it('needs the JWKS URL and has the documented defaults', () => {
    expect(loadConfig(GovernanceConfig, jwks)).toMatchObject({
      IHF_JWT_ISSUER: 'ihf-identity',
      GOVERNANCE_LOOKUP_TIMEOUT_MS: 2000,
    });
    expect(() => loadConfig(GovernanceConfig, {})).toThrow(ConfigValidationError);
  });

  it('accepts a 32-byte base64 secret key and refuses anything else', () => {
    const key = Buffer.alloc(32, 7).toString('base64');
    expect(loadConfig(GovernanceConfig, { ...jwks, GOVERNANCE_SECRET_KEY: key })).toMatchObject({
      GOVERNANCE_SECRET_KEY: key,
    });
    expect(() =>
      loadConfig(GovernanceConfig, {
        ...jwks,
        GOVERNANCE_SECRET_KEY: Buffer.alloc(16).toString('base64'),
      }),
    ).toThrow(ConfigValidationError);
  });
});
