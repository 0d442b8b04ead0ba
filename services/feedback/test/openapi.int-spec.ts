import { lintOpenApi, openApiGaps, writeOpenApi } from '@ihf/testing';
import { FeedbackTestApp } from './feedback-test-app.js';

describe('feedback OpenAPI document', () => {
  let t: FeedbackTestApp;

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  async function document(url = '/docs-json'): Promise<Record<string, never>> {
    const res = await t.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return res.json();
  }

  it('is served at /docs-json and at /docs/json, the same', async () => {
    expect(await document('/docs/json')).toEqual(await document('/docs-json'));
  });

  it('lints with 0 errors and 0 warnings under spectral:oas', async () => {
    const doc = await document();
    writeOpenApi('feedback', doc);
    const report = lintOpenApi(doc);
    console.log(
      `Spectral (spectral:oas) on feedback: ${report.errors} errors, ${report.warnings} warnings`,
    );
    expect(report.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', async () => {
    expect(openApiGaps(await document())).toEqual([]);
  });
});
