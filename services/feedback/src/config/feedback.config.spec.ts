import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { FeedbackConfig } from './feedback.config.js';

describe('FeedbackConfig', () => {
  it('needs the JWKS URL and has the documented defaults', () => {
    expect(
      loadConfig(FeedbackConfig, { IHF_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' }),
    ).toMatchObject({
      IHF_JWT_ISSUER: 'ihf-identity',
      IHF_JWT_AUDIENCE: 'ihf',
      FEEDBACK_WIDGET_LOOKUP_TIMEOUT_MS: 2000,
    });
    let error: unknown;
    try {
      loadConfig(FeedbackConfig, {});
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigValidationError);
    expect((error as ConfigValidationError).problems.map((p) => p.variable)).toEqual([
      'IHF_JWKS_URL',
    ]);
  });
});
