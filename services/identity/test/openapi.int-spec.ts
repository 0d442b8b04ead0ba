import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { IdentityTestApp } from './identity-test-app.js';

describe('identity OpenAPI document', () => {
  let t: IdentityTestApp;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
  });

  afterAll(async () => {
    await t?.close();
  });

  let served: ServedOpenApi;
  beforeAll(async () => {
    served = await servedOpenApi('identity', (url) => t.app.inject({ method: 'GET', url }));
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
    expect(served.gaps).toEqual([]);
  });

  it('declares sign-in and the key set public, and the user API behind a JWT', () => {
    const doc = document() as unknown as {
      paths: Record<string, Record<string, { security?: object[] }>>;
    };
    expect(doc.paths['/api/v1/auth/login'].post.security).toBeUndefined();
    expect(doc.paths['/.well-known/jwks.json'].get.security).toBeUndefined();
    expect(doc.paths['/api/v1/users'].post.security).toEqual([{ jwt: [] }]);
  });
});
