import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

// Client input of every hostile class, on every operation of ingestion's OpenAPI document, with
// a JWT, with a hub API key and without credentials: a 4xx problem+json each time, and nothing
// stored.

describe('ingestion: hostile input and the OpenAPI fuzz', () => {
  let f: IngestionFixture;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    // The admission bound on event-loop delay is for production load; on a shared CI machine a
    // slow second would answer 503 to requests this test is about.
    f = await IngestionFixture.start({ INGESTION_MAX_EVENT_LOOP_DELAY_MS: '60000' });
    const hub = await f.createHub();
    const key = await f.createKey(hub.id);
    const widget = await f.createWidget(hub.id);
    known = { hubId: [hub.id], widgetId: [widget.id], keyId: [key.id] };
    auths = [
      { authorization: `Bearer ${f.adminToken}` },
      { authorization: `Bearer ${key.key}` },
      {},
    ];
    doc = (await f.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
  });

  afterAll(async () => {
    await f?.stop();
  });

  const counts = async () =>
    (
      await f.em().execute<Record<string, number>[]>(
        `select (select count(*) from ingestion.hubs)::int as hubs,
                (select count(*) from ingestion.widgets)::int as widgets,
                (select count(*) from ingestion.hub_api_keys)::int as keys,
                (select count(*) from ingestion.interaction_events)::int as events,
                (select count(*) from ingestion.quarantined_events)::int as quarantined,
                (select count(*) from ingestion.outbox)::int as outbox`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('ingestion', f.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('answers API-key creation with no-store and every answer with nosniff', async () => {
    const created = await f.request<{ key: string }>(
      'POST',
      `/api/v1/hubs/${known.hubId?.[0] ?? ''}/api-keys`,
      { label: 'headers' },
    );
    expect(created.status).toBe(201);
    expect(created.headers['cache-control']).toBe('no-store');
    const refused = await f.app.inject({
      method: 'POST',
      url: '/api/v1/interaction-events',
      headers: { 'content-type': 'application/json' },
      payload: '{}',
    });
    for (const res of [created, refused]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('ingestion', f.app, {
      requests: 600,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
