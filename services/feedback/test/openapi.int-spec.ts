import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { FeedbackTestApp } from './feedback-test-app.js';

describe('feedback OpenAPI document', () => {
  let t: FeedbackTestApp;

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  let served: ServedOpenApi;
  beforeAll(async () => {
    served = await servedOpenApi('feedback', (url) => t.app.inject({ method: 'GET', url }));
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
