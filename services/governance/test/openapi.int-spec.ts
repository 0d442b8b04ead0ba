import { lintOpenApi, openApiGaps, writeOpenApi } from '@ihf/testing';
import { GovernanceTestApp } from './governance-test-app.js';

describe('governance OpenAPI document', () => {
  let t: GovernanceTestApp;

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
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
    writeOpenApi('governance', doc);
    const report = lintOpenApi(doc);
    console.log(
      `Spectral (spectral:oas) on governance: ${report.errors} errors, ${report.warnings} warnings`,
    );
    expect(report.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', async () => {
    // The CSV export has no JSON body by design: its 200 is `text/csv` (declared), nothing else.
    expect(openApiGaps(await document())).toEqual([
      'GET /api/v1/decisions/export: 200 has no JSON body schema',
    ]);
  });

  it('declares the MADR and CSV answers with their media types, and the webhook as public', async () => {
    const doc = (await document()) as unknown as {
      paths: Record<
        string,
        Record<string, { security?: unknown[]; responses: Record<string, { content?: object }> }>
      >;
    };
    const content = (path: string, status: string) =>
      Object.keys(doc.paths[path].get.responses[status].content ?? {});
    expect(content('/api/v1/decisions/{id}', '200')).toEqual(['application/json', 'text/markdown']);
    expect(content('/api/v1/decisions/export', '200')).toEqual(['text/csv']);
    expect(doc.paths['/api/v1/webhooks/github/{hubId}'].post.security).toBeUndefined();
    expect(doc.paths['/api/v1/requirements'].post.security).toEqual([{ jwt: [] }]);
  });
});
