import { randomUUID } from 'node:crypto';
import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { AgentsTestApp, agentClient, person } from './agents-test-app.js';

// Client input of every hostile class, on every operation of agent-proposals' OpenAPI
// document, with an agent's token, a reviewer's and none: a 4xx problem+json each time, and
// nothing stored.

const HUB = randomUUID();

describe('agent-proposals: hostile input and the OpenAPI fuzz', () => {
  let t: AgentsTestApp;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    t = await AgentsTestApp.start({ AGENTS_BUILTIN_ENABLED: 'false' });
    const bot = agentClient([HUB]);
    const proposal = await t.request<{ id: string }>('POST', '/api/v1/proposals', {
      as: bot,
      body: {
        hub_id: HUB,
        kind: 'summary',
        model_ref: 'acme/sum@1',
        confidence: 0.5,
        content: 'A summary',
        source_thread_id: randomUUID(),
      },
    });
    if (proposal.status !== 201) throw new Error(`set-up failed: ${JSON.stringify(proposal.body)}`);
    known = { id: [proposal.body.id], hub_id: [HUB] };
    auths = [
      { authorization: `Bearer ${t.token(bot)}` },
      { authorization: `Bearer ${t.token(person(['admin'], [HUB]))}` },
      {},
    ];
    doc = (await t.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.sql(
        `select (select count(*) from agents.agent_proposals)::int as proposals,
                (select count(*) from agents.agent_review_records)::int as reviews,
                (select count(*) from agents.confidence_annotations)::int as dimensions`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('agent-proposals', t.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('agent-proposals', t.app, {
      requests: 500,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
