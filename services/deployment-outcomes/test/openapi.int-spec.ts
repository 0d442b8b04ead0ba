import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { DeploymentTestApp } from './deployment-test-app.js';

describe('deployment-outcomes OpenAPI document', () => {
  let t: DeploymentTestApp;
  let served: ServedOpenApi;

  beforeAll(async () => {
    t = await DeploymentTestApp.start();
    served = await servedOpenApi('deployment-outcomes', (url) =>
      t.app.inject({ method: 'GET', url }),
    );
  });

  afterAll(async () => {
    await t?.close();
  });

  it('is served at /docs-json and at /docs/json, the same', () => {
    expect(served.alternate).toEqual(served.document);
  });

  it('lints with 0 errors and 0 warnings under spectral:oas', () => {
    expect(served.lint.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', () => {
    expect(served.gaps).toEqual([]);
  });
});
