import { lintOpenApi, openApiGaps, OpenApiResponseValidator, writeOpenApi } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

describe('ingestion OpenAPI document', () => {
  let f: IngestionFixture;

  beforeAll(async () => {
    f = await IngestionFixture.start();
  });

  afterAll(async () => {
    await f?.stop();
  });

  async function document(url = '/docs-json'): Promise<Record<string, never>> {
    const res = await f.app.inject({ method: 'GET', url });
    expect(res.statusCode).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return res.json();
  }

  it('is served at /docs-json and at /docs/json, the same', async () => {
    expect(await document('/docs/json')).toEqual(await document('/docs-json'));
  });

  it('lints with 0 errors and 0 warnings under spectral:oas', async () => {
    const doc = await document();
    writeOpenApi('ingestion', doc);
    const report = lintOpenApi(doc);
    console.log(
      `Spectral (spectral:oas) on ingestion: ${report.errors} errors, ${report.warnings} warnings`,
    );
    expect(report.findings.filter((r) => r.severity <= 1)).toEqual([]);
  });

  it('documents every operation completely (summary, tags, bodies, problems, security)', async () => {
    expect(openApiGaps(await document())).toEqual([]);
  });

  it('declares the reporting endpoints with the hub API key and a request body', async () => {
    const doc = (await document()) as unknown as {
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
    const doc = (await document()) as unknown as {
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
