import { ConfigValidationError, loadConfig } from '@ihf/platform';
import { DeploymentConfig } from './deployment.config.js';

describe('DeploymentConfig', () => {
  const jwks = { IHF_JWKS_URL: 'http://identity:3000/.well-known/jwks.json' };

  it('needs the JWKS URL and has the documented defaults', () => {
    expect(loadConfig(DeploymentConfig, jwks)).toMatchObject({
      DEPLOYMENT_WINDOW_DAYS: 7,
      DEPLOYMENT_MIN_SAMPLE: 30,
      DEPLOYMENT_VIEW_EVENT_TYPE: 'viewed',
    });
    expect(() => loadConfig(DeploymentConfig, {})).toThrow(ConfigValidationError);
  });

  it('reads the view event type from the environment and refuses one that is not an event type', () => {
    expect(
      loadConfig(DeploymentConfig, { ...jwks, DEPLOYMENT_VIEW_EVENT_TYPE: 'page_view' })
        .DEPLOYMENT_VIEW_EVENT_TYPE,
    ).toBe('page_view');
    expect(() =>
      loadConfig(DeploymentConfig, { ...jwks, DEPLOYMENT_VIEW_EVENT_TYPE: 'Page View' }),
    ).toThrow(ConfigValidationError);
  });

  it('refuses windows outside 1-90 days', () => {
    expect(() => loadConfig(DeploymentConfig, { ...jwks, DEPLOYMENT_WINDOW_DAYS: '0' })).toThrow(
      ConfigValidationError,
    );
  });
});
