import {
  describeFindings,
  type FuzzedOpenApiDocument,
  fuzzService,
  sendHostileCases,
} from '@ihf/testing';
import { ADMIN_EMAIL, ADMIN_PASSWORD, IdentityTestApp } from './identity-test-app.js';

// Client input of every hostile class, on every operation of identity's OpenAPI document, with
// and without credentials: a 4xx problem+json each time, and nothing stored.

describe('identity: hostile input and the OpenAPI fuzz', () => {
  let t: IdentityTestApp;
  let token: string;
  let doc: FuzzedOpenApiDocument;
  let userId: string;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
    token = await t.adminToken();
    userId = await t.createUser('member@ihf.test', 'Quiet-Orchard-Velvet-58');
    doc = (await t.request<FuzzedOpenApiDocument>('GET', '/docs/json')).body;
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
    const failures = await sendHostileCases(
      'identity',
      t.app,
      doc,
      [{ authorization: `Bearer ${token}` }, {}],
      known,
    );
    expect(failures).toEqual([]);
    expect(await counts()).toEqual(before);
  });

  it('sends security headers on every answer, and no-store on every answer with a secret', async () => {
    const agent = await t.request<{ client_id: string; client_secret: string }>(
      'POST',
      '/api/v1/agents',
      { token, body: { name: 'Header bot', hub_ids: [] } },
    );
    expect(agent.status).toBe(201);
    const login = await t.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    const refresh = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: login.body.refresh_token },
    });
    const clientToken = await t.request('POST', '/api/v1/auth/token', {
      body: {
        grant_type: 'client_credentials',
        client_id: agent.body.client_id,
        client_secret: agent.body.client_secret,
      },
    });
    for (const [what, res] of [
      ['agent creation', agent],
      ['login', login],
      ['refresh', refresh],
      ['client credentials', clientToken],
    ] as const) {
      expect([what, res.status < 300, res.headers['cache-control']]).toEqual([
        what,
        true,
        'no-store',
      ]);
    }
    // Every answer, errors and framework refusals included.
    const others = [
      await t.app.inject({ method: 'GET', url: '/api/v1/users' }),
      await t.app.inject({ method: 'GET', url: '/no/such/route' }),
      await t.app.inject({ method: 'GET', url: '/api/v1/users/%E0%A4%A' }),
      await t.app.inject({ method: 'GET', url: '/health/live' }),
    ];
    for (const res of [agent, login, refresh, clientToken, ...others]) {
      expect(res.headers['x-content-type-options']).toBe('nosniff');
    }
  });

  it('serves the docs page with a CSP and frame protection, and the assets it loads', async () => {
    const page = await t.app.inject({ method: 'GET', url: '/docs' });
    expect(page.statusCode).toBe(200);
    const csp = String(page.headers['content-security-policy']);
    expect(csp).toContain("default-src 'self'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).toContain("frame-ancestors 'self'");
    expect(page.headers['x-frame-options']).toBe('SAMEORIGIN');
    // Every script and stylesheet the page loads is same-origin (allowed by the CSP) and served.
    const assets = [...page.body.matchAll(/(?:src|href)="([^"]+)"/g)].map((m) => m[1]);
    expect(assets.length).toBeGreaterThanOrEqual(3);
    for (const asset of assets) {
      expect(asset.startsWith('/')).toBe(true);
      const res = await t.app.inject({ method: 'GET', url: asset });
      expect([asset, res.statusCode]).toEqual([asset, 200]);
      expect(String(res.headers['content-type'])).toMatch(/javascript|css/);
    }
    // The script the page runs points the UI at the document, which is served too.
    const init = await t.app.inject({ method: 'GET', url: '/docs/swagger-ui-init.js' });
    const docUrl = /url: '([^']+)'/.exec(init.body)?.[1] ?? '';
    expect((await t.app.inject({ method: 'GET', url: docUrl })).statusCode).toBe(200);
  });

  it('survives the seeded OpenAPI fuzz without a 5xx, every 4xx a problem+json', async () => {
    const report = await fuzzService('identity', t.app, {
      requests: 500,
      auth: [{ authorization: `Bearer ${token}` }, {}, { authorization: 'Bearer not.a.jwt' }],
      knownValues: { id: [userId] },
    });
    expect(describeFindings(report)).toEqual([]);
  });
});
