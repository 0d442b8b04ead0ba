import { ADMIN_EMAIL, ADMIN_PASSWORD, IdentityTestApp } from './identity-test-app.js';

const PASSWORD = 'Marble-Heron-Quiver-47';

/**
 * Interleavings of issue 22 (items 3 and 6), reproduced with triggers that hold a transaction
 * open at the racy statement (pg_sleep), so that the concurrent request runs inside the window.
 */
describe('identity: races between sessions, revocations and the last-admin guard', () => {
  let t: IdentityTestApp;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** Slows every matching row write on `table` by `seconds` until `drop` is called. */
  async function slowDown(
    table: 'refresh_tokens' | 'users',
    timing: 'insert' | 'update',
    seconds: number,
    when = 'true',
  ): Promise<{ drop: () => Promise<void> }> {
    const name = `test_slow_${table}_${timing}`;
    await t.sql(`create or replace function identity.${name}() returns trigger
      language plpgsql as $$ begin perform pg_sleep(${seconds}); return new; end $$`);
    await t.sql(`create trigger ${name} before ${timing} on identity.${table}
      for each row when (${when}) execute function identity.${name}()`);
    return {
      drop: async () => {
        await t.sql(`drop trigger ${name} on identity.${table}`);
      },
    };
  }

  /** Resolves once a statement of this database sleeps in a trigger. */
  async function sleeping(count = 1): Promise<void> {
    for (let i = 0; i < 200; i++) {
      const [{ n }] = await t.sql<{ n: number }>(
        `select count(*)::int as n from pg_stat_activity
         where datname = current_database() and wait_event = 'PgSleep'`,
      );
      if (n >= count) return;
      await new Promise((r) => setTimeout(r, 25));
    }
    throw new Error('no statement started sleeping');
  }

  const refresh = (token: string) =>
    t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: token } });

  it('revokes the successor a refresh is inserting when an old token of the family is reused', async () => {
    const email = 'reuse.race@ihf.test';
    await t.createUser(email, PASSWORD);
    const r0 = (await t.login(email, PASSWORD)).body.refresh_token as string;
    const r1 = (await refresh(r0)).body.refresh_token as string;

    const slow = await slowDown('refresh_tokens', 'insert', 1.5);
    try {
      // The legitimate client rotates r1; its successor r2 is being inserted (held 1.5 s)...
      const rotation = refresh(r1);
      await sleeping();
      // ...when a copy of r0 is replayed: reuse detection revokes the family.
      const reuse = await refresh(r0);
      expect(reuse.status).toBe(401);
      const rotated = await rotation;
      expect(rotated.status).toBe(200);
      await slow.drop();
      // r2 was committed by the rotation; the revocation must cover it too.
      const r2 = rotated.body.refresh_token as string;
      const afterReuse = await refresh(r2);
      expect(afterReuse.status).toBe(401);
      expect(afterReuse.body.code).toBe('IDENTITY.INVALID_REFRESH_TOKEN');
    } finally {
      await slow.drop().catch(() => undefined);
    }
  });

  it('ends a session whose refresh is in flight when the password is reset', async () => {
    const email = 'reset.race@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const admin = await t.adminToken();
    const r0 = (await t.login(email, PASSWORD)).body.refresh_token as string;

    const slow = await slowDown('refresh_tokens', 'insert', 2);
    try {
      const rotation = refresh(r0);
      await sleeping();
      const reset = await t.request('PUT', `/api/v1/users/${id}/password`, {
        token: admin,
        body: { password: 'Juniper-Socket-Walrus-82' },
      });
      expect(reset.status).toBe(204);
      const rotated = await rotation;
      await slow.drop();
      if (rotated.status === 200) {
        expect((await refresh(rotated.body.refresh_token as string)).status).toBe(401);
      } else {
        expect(rotated.status).toBe(401);
      }
      const [{ live }] = await t.sql<{ live: number }>(
        `select count(*)::int as live from identity.refresh_tokens
         where user_id = $1 and revoked_at is null`,
        [id],
      );
      expect(live).toBe(0);
    } finally {
      await slow.drop().catch(() => undefined);
    }
  });

  it('refuses refresh tokens issued before sessions_valid_after, even ones a revocation missed', async () => {
    const email = 'everywhere@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const first = await t.login(email, PASSWORD);
    const second = await t.login(email, PASSWORD);

    const out = await t.request('DELETE', '/api/v1/users/me/sessions', {
      token: first.body.access_token as string,
    });
    expect(out.status).toBe(204);
    for (const s of [first, second]) {
      expect((await refresh(s.body.refresh_token as string)).status).toBe(401);
    }
    const [{ sessions_valid_after }] = await t.sql<{ sessions_valid_after: Date | null }>(
      'select sessions_valid_after from identity.users where id = $1',
      [id],
    );
    expect(sessions_valid_after).toBeInstanceOf(Date);

    // A token that a revocation missed (the race above, or a restore) is still refused.
    const third = await t.login(email, PASSWORD);
    await t.sql(
      `update identity.refresh_tokens set revoked_at = null, used_at = null,
         created_at = $2::timestamptz - interval '1 second'
       where user_id = $1`,
      [id, sessions_valid_after],
    );
    expect((await refresh(third.body.refresh_token as string)).status).toBe(401);
    // Signing in again starts a valid session.
    const fresh = await t.login(email, PASSWORD);
    expect((await refresh(fresh.body.refresh_token as string)).status).toBe(200);
    expect((await t.request('DELETE', '/api/v1/users/me/sessions')).status).toBe(401);
  });

  it.each([
    [
      'deactivate each other',
      'update',
      'old.deactivated_at is null and new.deactivated_at is not null',
    ],
    ['demote each other', 'update', `'admin' = any(old.roles) and not ('admin' = any(new.roles))`],
  ] as const)('keeps one active admin when two admins %s at once', async (what, timing, when) => {
    const email = `second.admin.${what.split(' ')[0]}@ihf.test`;
    const second = await t.createUser(email, PASSWORD, { roles: ['admin'] });
    const [{ id: root }] = await t.sql<{ id: string }>(
      'select id from identity.users where email = $1',
      [ADMIN_EMAIL],
    );
    const rootToken = await t.adminToken();
    const secondToken = (await t.login(email, PASSWORD)).body.access_token as string;
    const act = (token: string, target: string) =>
      what === 'deactivate each other'
        ? t.request('POST', `/api/v1/users/${target}/deactivate`, { token })
        : t.request('PATCH', `/api/v1/users/${target}`, { token, body: { roles: ['viewer'] } });

    const slow = await slowDown('users', timing, 1, when);
    let answers;
    try {
      answers = await Promise.all([act(rootToken, second), act(secondToken, root)]);
    } finally {
      await slow.drop();
    }
    expect(answers.map((a) => a.status).sort()).toEqual([200, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('IDENTITY.LAST_ADMIN');
    const admins = await t.sql<{ id: string }>(
      `select id from identity.users where 'admin' = any(roles) and deactivated_at is null`,
    );
    expect(admins).toHaveLength(1);

    // Back to the bootstrap admin alone, for the next case.
    const survivor = admins[0].id;
    if (survivor !== root) {
      const token = (await t.login(email, PASSWORD)).body.access_token as string;
      const restore =
        what === 'deactivate each other'
          ? await t.request('POST', `/api/v1/users/${root}/reactivate`, { token })
          : await t.request('PATCH', `/api/v1/users/${root}`, {
              token,
              body: { roles: ['admin'] },
            });
      expect(restore.status).toBe(200);
    }
    const rootAgain = (await t.login(ADMIN_EMAIL, ADMIN_PASSWORD)).body.access_token as string;
    const retire =
      what === 'deactivate each other'
        ? await t.request('POST', `/api/v1/users/${second}/deactivate`, { token: rootAgain })
        : await t.request('PATCH', `/api/v1/users/${second}`, {
            token: rootAgain,
            body: { roles: ['viewer'] },
          });
    expect(retire.status).toBe(200);
  });
});
