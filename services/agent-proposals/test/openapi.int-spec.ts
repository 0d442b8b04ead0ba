import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { AgentsTestApp } from './agents-test-app.js';

describe('agent-proposals OpenAPI document', () => {
  let t: AgentsTestApp;
  let served: ServedOpenApi;

  beforeAll(async () => {
    t = await AgentsTestApp.start();
    served = await servedOpenApi('agent-proposals', (url) => t.app.inject({ method: 'GET', url }));
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
    // By design: an identical proposal posted again answers 200 with the stored one (not 201).
    expect(served.gaps).toEqual(['POST /api/v1/proposals: 2 success answers']);
  });

  it('declares the proposal post for agents, the identical-proposal 200 and AsyncAPI as public', () => {
    const doc = served.document as unknown as {
      paths: Record<
        string,
        Record<string, { security?: unknown[]; responses: Record<string, unknown> }>
      >;
    };
    expect(Object.keys(doc.paths['/api/v1/proposals'].post.responses)).toEqual(
      expect.arrayContaining(['200', '201', '400', '401', '403', '422']),
    );
    expect(doc.paths['/docs/asyncapi'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/proposals/{id}/review'].post.responses).toHaveProperty('409');
  });
});
