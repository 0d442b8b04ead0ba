import { ADMIN_EMAIL, IdentityTestApp } from './identity-test-app.js';

const PASSWORD = 'Quartz-Willow-Beacon-64';
const HUB_A = '0b6c3a52-1f4e-4d2a-8c3b-7e9f1a2b3c4d';
const HUB_B = '9d8e7f6a-5b4c-4d3e-8f2a-1b0c9d8e7f6a';

describe('identity: user administration and events', () => {
  let t: IdentityTestApp;
  let admin: string;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
    admin = await t.adminToken();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('creates a user, stores an argon2id hash, and relays user.created to IHF_IDENTITY', async () => {
    const res = await t.request('POST', '/api/v1/users', {
      token: admin,
      body: {
        email: ' Grace.Hopper@IHF.test ',
        name: 'Grace',
        password: PASSWORD,
        roles: ['triager'],
      },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      email: 'grace.hopper@ihf.test',
      name: 'Grace',
      roles: ['triager'],
      hub_ids: [],
      locked: false,
      active: true,
    });
    expect(JSON.stringify(res.body)).not.toContain('argon2');
    const id = res.body.id as string;
    const [row] = await t.sql<{ password_hash: string }>(
      `select password_hash from identity.users where id = $1`,
      [id],
    );
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(row.password_hash).not.toContain(PASSWORD);

    const event = await t.waitForEvent(
      'ihf.identity.user.created.v1',
      (e) => (e.payload as Record<string, unknown>).user_id === id,
    );
    expect(event.subject).toBe(`${t.env.natsNamespace}.ihf.identity.user.created.v1`);
    expect(event.envelope).toMatchObject({
      type: 'ihf.identity.user.created.v1',
      version: 1,
      producer: 'identity',
      payload: {
        user_id: id,
        kind: 'user',
        name: 'Grace',
        email: 'grace.hopper@ihf.test',
        roles: ['triager'],
      },
    });
  });

  it('refuses a duplicate e-mail (409) and weak passwords (422 with reasons)', async () => {
    await t.createUser('dup@ihf.test', PASSWORD);
    const dup = await t.request('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'DUP@ihf.test', name: 'Again', password: PASSWORD },
    });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('IDENTITY.EMAIL_TAKEN');

    for (const [password, reason] of [
      ['short-1', 'at least 12'],
      ['weakling@ihf.test', 'e-mail'],
      ['password1234', 'commonly used'],
      ['Password123!', 'commonly used password'],
      ['P@ssw0rd1234', "predictable letter substitutions like '@' for 'a'"],
    ] as const) {
      const weak = await t.request('POST', '/api/v1/users', {
        token: admin,
        body: { email: 'weakling@ihf.test', name: 'Weak', password },
      });
      expect(weak.status).toBe(422);
      expect(weak.body.code).toBe('IDENTITY.WEAK_PASSWORD');
      expect(JSON.stringify(weak.body.violations)).toContain(reason);
      expect(weak.headers['content-type']).toContain('application/problem+json');
    }
  });

  it('validates input: unknown roles, unknown fields, bad ids', async () => {
    const bad = await t.request('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'not-an-email', name: 'X', password: PASSWORD, roles: ['emperor'], extra: 1 },
    });
    expect(bad.status).toBe(400);
    const fields = (bad.body.errors as { field: string }[]).map((e) => e.field).sort();
    expect(fields).toEqual(expect.arrayContaining(['email', 'extra', 'roles']));
    const blank = await t.request('POST', '/api/v1/users', {
      token: admin,
      body: { email: 'blank@ihf.test', name: '   ', password: PASSWORD },
    });
    expect(blank.status).toBe(400);
    expect(blank.body.errors).toEqual([expect.objectContaining({ field: 'name' })]);
    expect((await t.request('GET', '/api/v1/users/not-a-uuid', { token: admin })).status).toBe(400);
    expect(
      (
        await t.request('GET', '/api/v1/users/00000000-0000-4000-8000-000000000000', {
          token: admin,
        })
      ).body.code,
    ).toBe('IDENTITY.USER_NOT_FOUND');
  });

  it('requires a token, and the admin role for administration', async () => {
    const anonymous = await t.request('GET', '/api/v1/users');
    expect(anonymous.status).toBe(401);
    expect(anonymous.body.code).toBe('AUTH.UNAUTHENTICATED');
    await t.createUser('viewer@ihf.test', PASSWORD);
    const viewer = (await t.login('viewer@ihf.test', PASSWORD)).body.access_token as string;
    const res = await t.request('GET', '/api/v1/users', { token: viewer });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('AUTH.ROLE_REQUIRED');
    expect((await t.request('GET', '/api/v1/users/me', { token: viewer })).status).toBe(200);
  });

  it('updates roles and hubs, emits membership.changed, and the next token carries them', async () => {
    const id = await t.createUser('member@ihf.test', PASSWORD);
    const patched = await t.request('PATCH', `/api/v1/users/${id}`, {
      token: admin,
      body: { name: 'Member', roles: ['reviewer', 'viewer'] },
    });
    expect(patched.status).toBe(200);
    expect(patched.body).toMatchObject({ name: 'Member', roles: ['reviewer', 'viewer'] });
    const hubs = await t.request('PUT', `/api/v1/users/${id}/hubs`, {
      token: admin,
      body: { hub_ids: [HUB_A, HUB_B] },
    });
    expect(hubs.status).toBe(200);
    expect(hubs.body.hub_ids).toEqual([HUB_A, HUB_B]);

    const event = await t.waitForEvent('ihf.identity.membership.changed.v1', (e) => {
      const p = e.payload as { user_id: string; hub_ids: string[] };
      return p.user_id === id && p.hub_ids.length === 2;
    });
    expect(event.envelope.payload).toEqual({
      user_id: id,
      hub_ids: [HUB_A, HUB_B],
      roles: ['reviewer', 'viewer'],
    });

    const token = (await t.login('member@ihf.test', PASSWORD)).body.access_token as string;
    const claims = JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ roles: ['reviewer', 'viewer'], hubs: [HUB_A, HUB_B] });
  });

  it('versions every event of a user and publishes unlock, deactivation and reactivation', async () => {
    const email = 'versioned@ihf.test';
    const id = await t.createUser(email, PASSWORD, { hub_ids: [HUB_A] });
    await t.request('PUT', `/api/v1/users/${id}/hubs`, {
      token: admin,
      body: { hub_ids: [HUB_B] },
    });
    for (let i = 0; i < 5; i++) await t.login(email, 'wrong-password-123');
    for (const action of ['unlock', 'deactivate', 'reactivate']) {
      const res = await t.request('POST', `/api/v1/users/${id}/${action}`, { token: admin });
      expect(res.status).toBe(200);
    }
    // Idempotent calls change nothing (the version stays at 6 below).
    await t.request('POST', `/api/v1/users/${id}/reactivate`, { token: admin });
    await t.request('POST', `/api/v1/users/${id}/unlock`, { token: admin });

    const expected: [string, number, Record<string, unknown>][] = [
      ['ihf.identity.user.created.v1', 1, { roles: ['viewer'] }],
      ['ihf.identity.membership.changed.v1', 1, { hub_ids: [HUB_A] }],
      ['ihf.identity.membership.changed.v1', 2, { hub_ids: [HUB_B] }],
      ['ihf.identity.user.locked.v1', 3, { failed_login_attempts: 5 }],
      ['ihf.identity.user.unlocked.v1', 4, { cause: 'admin' }],
      ['ihf.identity.user.deactivated.v1', 5, { deactivated_at: expect.any(String) }],
      ['ihf.identity.user.reactivated.v1', 6, { reactivated_at: expect.any(String) }],
    ];
    for (const [subject, version, payload] of expected) {
      const { envelope } = await t.waitForEvent(
        subject,
        (e) => e.aggregate_id === id && e.aggregate_version === version,
      );
      expect(envelope).toMatchObject({
        type: subject,
        aggregate_id: id,
        aggregate_version: version,
        payload: { user_id: id, ...payload },
      });
    }
    const [row] = await t.sql<{ version: number }>(
      'select version from identity.users where id = $1',
      [id],
    );
    expect(row.version).toBe(6);
  });

  it('lists users with cursor pagination', async () => {
    const first = await t.request<{ items: { id: string }[]; next_cursor: string | null }>(
      'GET',
      '/api/v1/users?limit=2',
      { token: admin },
    );
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).toBe(first.body.items[1].id);
    const seen = [...first.body.items.map((u) => u.id)];
    let cursor = first.body.next_cursor;
    while (cursor) {
      const page = await t.request<{ items: { id: string }[]; next_cursor: string | null }>(
        'GET',
        `/api/v1/users?limit=2&cursor=${cursor}`,
        { token: admin },
      );
      seen.push(...page.body.items.map((u) => u.id));
      cursor = page.body.next_cursor;
    }
    const [{ count }] = await t.sql<{ count: string }>(`select count(*) from identity.users`);
    expect(seen).toHaveLength(Number(count));
    expect(new Set(seen).size).toBe(seen.length);
  });

  it('resets a password (revoking sessions) and keeps at least one active admin', async () => {
    const id = await t.createUser('reset@ihf.test', PASSWORD);
    const session = await t.login('reset@ihf.test', PASSWORD);
    const next = 'Copper-Lagoon-Thistle-27';
    expect(
      (
        await t.request('PUT', `/api/v1/users/${id}/password`, {
          token: admin,
          body: { password: next },
        })
      ).status,
    ).toBe(204);
    expect((await t.login('reset@ihf.test', PASSWORD)).status).toBe(401);
    expect((await t.login('reset@ihf.test', next)).status).toBe(200);
    expect(
      (
        await t.request('POST', '/api/v1/auth/refresh', {
          body: { refresh_token: session.body.refresh_token },
        })
      ).status,
    ).toBe(401);

    const [{ id: adminId }] = await t.sql<{ id: string }>(
      `select id from identity.users where email = $1`,
      [ADMIN_EMAIL],
    );
    const demote = await t.request('PATCH', `/api/v1/users/${adminId}`, {
      token: admin,
      body: { roles: ['viewer'] },
    });
    expect(demote.status).toBe(409);
    expect(demote.body.code).toBe('IDENTITY.LAST_ADMIN');
    const deactivate = await t.request('POST', `/api/v1/users/${adminId}/deactivate`, {
      token: admin,
    });
    expect(deactivate.status).toBe(409);
  });
});
