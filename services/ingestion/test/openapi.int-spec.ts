import { OpenApiResponseValidator, type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

describe('ingestion OpenAPI document', () => {
  let f: IngestionFixture;

  beforeAll(async () => {
    f = await IngestionFixture.start();
  });

  afterAll(async () => {
    await f?.stop();
  });

  let served: ServedOpenApi;
  beforeAll(async () => {
    served = await servedOpenApi('ingestion', (url) => f.app.inject({ method: 'GET', url }));
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

  it('declares the reporting endpoints with the hub API key and a request body', () => {
    const doc = document() as unknown as {
      paths: Record<string, Record<string, { security?: object[]; requestBody?: object }>>;
      components: { securitySchemes: Record<string, { bearerFormat?: string }> };
    };
    for (const path of ['/api/v1/interaction-events', '/api/v1/annotations']) {
      expect(doc.paths[path].post.security).toEqual([{ hubApiKey: [] }]);
      expect(doc.paths[path].post.requestBody).toBeDefined();
    }
    expect(doc.paths['/api/v1/hubs'].post.security).toEqual([{ jwt: [] }]);
    expect(doc.components.securitySchemes.hubApiKey.bearerFormat).not.toBe('JWT');
    expect(doc.components.securitySchemes.jwt.bearerFormat).toBe('JWT');
  });

  it('refuses a real answer that drifts from the document', async () => {
    // The real document with one field's type changed: the real answer no longer matches.
    const doc = document() as unknown as {
      components: { schemas: Record<string, { properties: Record<string, object> }> };
    };
    const hub = await f.createHub();
    const res = await f.app.inject({
      method: 'GET',
      url: `/api/v1/hubs/${hub.id}`,
      headers: { authorization: `Bearer ${f.adminToken}` },
    });
    const observed = {
      method: 'GET',
      route: '/api/v1/hubs/:hubId',
      status: res.statusCode,
      contentType: res.headers['content-type'] as string,
      body: res.body,
    };
    expect(new OpenApiResponseValidator(doc as never).check(observed)).toEqual([]);
    doc.components.schemas.HubResponse.properties.slug = { type: 'integer' };
    expect(new OpenApiResponseValidator(doc as never).check(observed)).toEqual([
      'GET /api/v1/hubs/:hubId → 200: body/slug must be integer {"type":"integer"}',
    ]);
    expect(new OpenApiResponseValidator(doc as never).check({ ...observed, status: 418 })).toEqual([
      'GET /api/v1/hubs/:hubId → 418: status 418 is not declared',
    ]);
  });
});
