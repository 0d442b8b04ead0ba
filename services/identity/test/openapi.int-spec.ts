import { lintOpenApi, openApiGaps, writeOpenApi } from '@ihf/testing';
import { IdentityTestApp } from './identity-test-app.js';

describe('identity OpenAPI document', () => {
  let t: IdentityTestApp;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
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
    writeOpenApi('identity', doc);
    const report = lintOpenApi(doc);
    console.log(
      `Spectral (spectral:oas) on identity: ${report.errors} errors, ${report.warnings} warnings`,
    );
    expect(report.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', async () => {
    expect(openApiGaps(await document())).toEqual([]);
  });

  it('declares sign-in and the key set public, and the user API behind a JWT', async () => {
    const doc = (await document()) as unknown as {
      paths: Record<string, Record<string, { security?: object[] }>>;
    };
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(doc.paths['/.well-known/jwks.json'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/users'].post.security).toEqual([{ jwt: [] }]);
  });
});
