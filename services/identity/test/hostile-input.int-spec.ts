import { contractViolation, fuzzService, hostileCases, type OpenApiDocument } from '@ihf/testing';
import { IdentityTestApp } from './identity-test-app.js';

// Client input of every hostile class, on every operation of identity's OpenAPI document, with
// and without credentials: a 4xx problem+json each time, and nothing stored.

describe('identity: hostile input and the OpenAPI fuzz', () => {
  let t: IdentityTestApp;
  let token: string;
  let doc: OpenApiDocument;
  let userId: string;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
    token = await t.adminToken();
    userId = await t.createUser('member@ihf.test', 'Quiet-Orchard-Velvet-58');
    doc = (await t.request<OpenApiDocument>('GET', '/docs/json')).body;
  });

  afterAll(async () => {
    await t?.close();
  });

  const counts = async () =>
    (
      await t.sql<{ users: number; agents: number; tokens: number }>(
        `select (select count(*) from identity.users)::int as users,
                (select count(*) from identity.agent_clients)::int as agents,
                (select count(*) from identity.refresh_tokens)::int as tokens`,
      )
    )[0];

  it('answers each class of hostile input with a 4xx problem and stores nothing', async () => {
    const before = await counts();
    const known = { id: [userId] };
    const failures: string[] = [];
    let sent = 0;
    for (const headers of [{ authorization: `Bearer ${token}` }, {}]) {
      for (const c of hostileCases(doc, headers, known)) {
        const res = await t.app.inject(c.request);
        sent++;
        const violation = contractViolation(res);
        const code = (res.json<{ code?: string }>() ?? {}).code;
        if (violation) failures.push(`${c.name}: ${violation} ${res.body.slice(0, 200)}`);
        else if (c.code && code !== c.code)
          failures.push(`${c.name}: ${code} instead of ${c.code}`);
      }
    }
    console.log(`[hostile input] identity: ${sent} requests`);
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('identity', t.app, {
      requests: 500,
      auth: [{ authorization: `Bearer ${token}` }, {}, { authorization: 'Bearer not.a.jwt' }],
      knownValues: { id: [userId] },
    });
    expect(
      report.findings.map(
        (f) => `${f.request.method} ${f.request.url.slice(0, 200)}: ${f.problem} ${f.body}`,
      ),
    ).toEqual([]);
  });
});
