import { randomUUID } from 'node:crypto';
import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { DeploymentTestApp, user } from './deployment-test-app.js';

// Client input of every hostile class, on every operation of the OpenAPI document, with and
// without credentials: a 4xx problem+json each time, and nothing stored.

const HUB = randomUUID();

describe('deployment-outcomes: hostile input and the OpenAPI fuzz', () => {
  let t: DeploymentTestApp;
  let doc: FuzzedOpenApiDocument;
  let known: Record<string, string[]>;
  let auths: Record<string, string>[];

  beforeAll(async () => {
    t = await DeploymentTestApp.start();
    const admin = user(['admin'], [HUB]);
    const deployer = user(['deployer'], [HUB]);
    known = { id: [randomUUID()], hubId: [HUB], decision_id: [randomUUID()] };
    auths = [
      { authorization: `Bearer ${t.token(admin)}` },
      { authorization: `Bearer ${t.token(deployer)}` },
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
        `select (select count(*) from deployment.deployment_records)::int as deployments,
                (select count(*) from deployment.outcome_signals)::int as signals,
                (select count(*) from deployment.change_evaluations)::int as evaluations`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const failures = await sendHostileCases('deployment-outcomes', t.app, doc, auths, known);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('deployment-outcomes', t.app, {
      requests: 400,
      auth: [...auths, { authorization: 'Bearer not.a.jwt' }],
      knownValues: known,
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
