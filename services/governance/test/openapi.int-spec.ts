import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { GovernanceTestApp } from './governance-test-app.js';

describe('governance OpenAPI document', () => {
  let t: GovernanceTestApp;

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  let served: ServedOpenApi;
  beforeAll(async () => {
    served = await servedOpenApi('governance', (url) => t.app.inject({ method: 'GET', url }));
  });
  const document = (): Record<string, never> =>
    structuredClone(served.document) as Record<string, never>;

  it('is served at /docs-json and at /docs/json, the same', () => {
    expect(served.alternate).toEqual(served.document);
  });

  it('lints with 0 errors and 0 warnings under spectral:oas', () => {
    expect(served.lint.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', () => {
    // The CSV export has no JSON body by design: its 200 is `text/csv` (declared), nothing else.
    expect(served.gaps).toEqual(['GET /api/v1/decisions/export: 200 has no JSON body schema']);
  });

  it('declares the MADR and CSV answers with their media types, and the webhook as public', () => {
    const doc = document() as unknown as {
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
