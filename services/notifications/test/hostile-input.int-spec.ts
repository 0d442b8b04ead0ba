import { randomUUID } from 'node:crypto';
import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { NotificationsTestApp, user } from './notifications-test-app.js';

// Client input of every hostile class, on every operation of notifications' OpenAPI document,
// with and without credentials: a 4xx problem+json each time, and nothing stored.

const HUB = randomUUID();

describe('notifications: hostile input and the OpenAPI fuzz', () => {
  let t: NotificationsTestApp;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    t = await NotificationsTestApp.start();
    const admin = user(['admin'], [HUB]);
    const endpoint = await t.request<{ id: string }>('POST', `/api/v1/hubs/${HUB}/webhooks`, {
      user: admin,
      body: {
        url: 'https://hooks.example.com/ihf',
        event_types: ['ihf.feedback.candidate.status_changed.v1'],
      },
    });
    if (endpoint.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(endpoint.body)}`);
    known = { hubId: [HUB], id: [endpoint.body.id] };
    auths = [{ authorization: `Bearer ${t.token(admin)}` }, {}];
    doc = (await t.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
  });
  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.sql(
        `select (select count(*) from notifications.webhook_endpoints)::int as endpoints,
                (select count(*) from notifications.webhook_deliveries)::int as deliveries,
                (select count(*) from notifications.email_preferences)::int as preferences,
                (select count(*) from notifications.inbox_items)::int as inbox`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('notifications', t.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('notifications', t.app, {
      requests: 500,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
