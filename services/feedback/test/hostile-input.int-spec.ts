import { randomUUID } from 'node:crypto';
import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { FeedbackTestApp, user, widgetSnapshot } from './feedback-test-app.js';

// Client input of every hostile class, on every operation of feedback's OpenAPI document, with
// and without credentials: a 4xx problem+json each time, and nothing stored.

const HUB = randomUUID();

describe('feedback: hostile input and the OpenAPI fuzz', () => {
  let t: FeedbackTestApp;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    const admin = user(['admin'], [HUB]);
    await t.announceUser(admin);
    const widgetId = await t.registerWidget(HUB);
    // Ingestion is up and knows only this widget: an unknown widget id is the client's mistake.
    t.serveWidgetLookups(new Map([[widgetId, widgetSnapshot(widgetId, HUB, 1)]]));
    const thread = await t.request<{ id: string }>('POST', '/api/v1/threads', {
      user: admin,
      body: { widget_id: widgetId, title: 'Checkout' },
    });
    const annotation = await t.request<{ id: string }>('POST', '/api/v1/annotations', {
      user: admin,
      body: { widget_id: widgetId, body: 'Where is the button?' },
    });
    const candidate = await t.request<{ id: string }>('POST', '/api/v1/candidates', {
      user: admin,
      body: {
        title: 'Show the button',
        description: 'Hidden',
        source_annotation_id: annotation.body.id,
      },
    });
    for (const res of [thread, annotation, candidate]) {
      if (res.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(res.body)}`);
    }
    known = {
      id: [candidate.body.id, thread.body.id, annotation.body.id],
      annotationId: [annotation.body.id],
      hub_id: [HUB],
      widget_id: [widgetId],
    };
    auths = [{ authorization: `Bearer ${t.token(admin)}` }, {}];
    doc = (await t.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.sql(
        `select (select count(*) from feedback.annotations)::int as annotations,
                (select count(*) from feedback.annotation_threads)::int as threads,
                (select count(*) from feedback.requirement_candidates)::int as candidates,
                (select count(*) from feedback.reviewer_assignments)::int as assignments,
                (select count(*) from feedback.candidate_votes)::int as votes,
                (select count(*) from feedback.candidate_subscribers)::int as subscribers,
                (select count(*) from feedback.candidate_merges)::int as merges`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('feedback', t.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('feedback', t.app, {
      requests: 500,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
