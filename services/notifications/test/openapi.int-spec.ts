import { type ServedOpenApi, servedOpenApi } from '@ihf/testing';
import { NotificationsTestApp } from './notifications-test-app.js';

describe('notifications OpenAPI document', () => {
  let t: NotificationsTestApp;
  let served: ServedOpenApi;

  beforeAll(async () => {
    t = await NotificationsTestApp.start();
    served = await servedOpenApi('notifications', (url) => t.app.inject({ method: 'GET', url }));
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
    // The unsubscribe page is HTML by design: its 200 is `text/html` (declared), nothing else.
    expect(served.gaps).toEqual(['GET /api/v1/email/unsubscribe: 200 has no JSON body schema']);
  });

  it('declares the one-click unsubscribe as public and the webhooks as admin operations with a token', () => {
    const doc = served.document as unknown as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    expect(doc.paths['/api/v1/email/unsubscribe'].post.security).toBeUndefined();
    expect(doc.paths['/api/v1/hubs/{hubId}/webhooks'].post.security).toEqual([{ jwt: [] }]);
    expect(doc.paths['/api/v1/inbox'].get.security).toEqual([{ jwt: [] }]);
  });
});
