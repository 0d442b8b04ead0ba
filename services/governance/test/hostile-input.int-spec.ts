import { randomUUID } from 'node:crypto';
import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { GovernanceTestApp, user } from './governance-test-app.js';

// Client input of every hostile class, on every operation of governance's OpenAPI document,
// with and without credentials: a 4xx problem+json each time, and nothing stored.

const HUB = randomUUID();

describe('governance: hostile input and the OpenAPI fuzz', () => {
  let t: GovernanceTestApp;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
    const admin = user(['admin'], [HUB]);
    const candidateId = await t.candidate(HUB, 'accepted');
    const requirement = await t.request<{ id: string }>('POST', '/api/v1/requirements', {
      user: admin,
      body: { candidate_id: candidateId },
    });
    const decision = await t.request<{ id: string }>('POST', '/api/v1/decisions', {
      user: admin,
      body: {
        title: 'Ship it',
        rationale: 'Users asked for it',
        outcome: 'approved',
        requirement_id: requirement.body.id,
      },
    });
    for (const res of [requirement, decision]) {
      if (res.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(res.body)}`);
    }
    known = {
      id: [requirement.body.id, decision.body.id],
      hubId: [HUB],
      hub_id: [HUB],
      requirement_id: [requirement.body.id],
      candidate_id: [candidateId],
    };
    // Feedback and ingestion are up and know nothing more: an unknown candidate id is the
    // client's mistake (404), not an outage (503).
    t.serveCandidateLookups(new Map());
    t.serveWidgetLookups(new Map());
    auths = [{ authorization: `Bearer ${t.token(admin)}` }, {}];
    doc = (await t.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.sql(
        `select (select count(*) from governance.requirements)::int as requirements,
                (select count(*) from governance.requirement_history)::int as history,
                (select count(*) from governance.decision_records)::int as decisions,
                (select count(*) from governance.policy_references)::int as policies,
                (select count(*) from governance.implementation_change_references)::int as items,
                (select count(*) from governance.hub_settings)::int as settings,
                (select count(*) from governance.webhook_deliveries)::int as deliveries`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('governance', t.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('governance', t.app, {
      requests: 500,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
