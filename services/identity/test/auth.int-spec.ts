import { RefreshTokenJanitor } from '../src/auth/refresh-token.janitor.js';
import { PasswordHasher } from '../src/users/password-hasher.js';
import { ADMIN_EMAIL, ADMIN_PASSWORD, IdentityTestApp } from './identity-test-app.js';

const PASSWORD = 'Velvet-Orchard-Compass-58';

function claimsOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

function headerOf(token: string): Record<string, unknown> {
  return JSON.parse(Buffer.from(token.split('.')[0], 'base64url').toString('utf8')) as Record<
    string,
    unknown
  >;
}

const median = (values: number[]): number => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
};

describe('identity: sign-in, lockout, refresh', () => {
  let t: IdentityTestApp;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('starts migrated, ready without a token, with the first admin from the environment', async () => {
    const ready = await t.request('GET', '/health/ready');
    expect(ready.status).toBe(200);
    expect(ready.body).toMatchObject({
      status: 'ok',
      checks: { postgres: { status: 'up' }, nats: { status: 'up' } },
    });
    expect((await t.request('GET', '/metrics')).status).toBe(200);
    const admins = await t.sql<{ email: string; roles: string[] }>(
      `select email, roles from identity.users where 'admin' = any(roles)`,
    );
    expect(admins).toEqual([{ email: ADMIN_EMAIL, roles: ['admin'] }]);
  });

  it('signs in with a normalised e-mail and answers tokens with the documented claims', async () => {
    const res = await t.login(`  ${ADMIN_EMAIL.toUpperCase()} `, ADMIN_PASSWORD);
    expect(res.status).toBe(200);
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body).toMatchObject({
      token_type: 'Bearer',
      expires_in: 900,
      refresh_expires_in: 14 * 24 * 3600,
    });
    const token = res.body.access_token as string;
    expect(headerOf(token)).toEqual({ alg: 'RS256', typ: 'JWT', kid: t.signingKey.kid });
    const claims = claimsOf(token);
    expect(claims).toMatchObject({
      iss: 'ihf-identity',
      aud: 'ihf',
      email: ADMIN_EMAIL,
      roles: ['admin'],
      hubs: [],
      kind: 'user',
    });
    expect((claims.exp as number) - (claims.iat as number)).toBe(900);
    const me = await t.request('GET', '/api/v1/users/me', { token });
    expect(me.status).toBe(200);
    expect(me.body).toMatchObject({ id: claims.sub, email: ADMIN_EMAIL });
    expect(me.body).not.toHaveProperty('password_hash');
  });

  it('locks after 5 failures, refuses even the right password, and unlocks by an admin', async () => {
    const email = 'lock.me@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    for (let i = 1; i <= 4; i++) {
      expect((await t.login(email, 'wrong-password-123')).status).toBe(401);
    }
    // A success before the threshold resets the counter.
    expect((await t.login(email, PASSWORD)).status).toBe(200);
    expect(
      (await t.sql(`select failed_login_attempts from identity.users where id = $1`, [id]))[0],
    ).toEqual({ failed_login_attempts: 0 });

    for (let i = 1; i <= 5; i++) {
      const res = await t.login(email, 'wrong-password-123');
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('IDENTITY.INVALID_CREDENTIALS');
    }
    const admin = await t.adminToken();
    const locked = await t.request('GET', `/api/v1/users/${id}`, { token: admin });
    expect(locked.body).toMatchObject({ locked: true, failed_login_attempts: 5 });
    expect(locked.body.locked_at).toEqual(expect.any(String));

    const refused = await t.login(email, PASSWORD);
    expect(refused.status).toBe(401);
    expect(refused.body.code).toBe('IDENTITY.INVALID_CREDENTIALS');

    const event = await t.waitForEvent('ihf.identity.user.locked.v1', (e) => {
      const payload = e.payload as Record<string, unknown>;
      return payload.user_id === id;
    });
    expect(event.envelope).toMatchObject({
      type: 'ihf.identity.user.locked.v1',
      producer: 'identity',
      payload: { user_id: id, failed_login_attempts: 5 },
    });

    const unlocked = await t.request('POST', `/api/v1/users/${id}/unlock`, { token: admin });
    expect(unlocked.status).toBe(200);
    expect(unlocked.body).toMatchObject({ locked: false, failed_login_attempts: 0 });
    expect((await t.login(email, PASSWORD)).status).toBe(200);
  });

  it('counts concurrent failures exactly and locks once', async () => {
    const email = 'storm@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const results = await Promise.all(
      Array.from({ length: 12 }, () => t.login(email, 'wrong-password-123')),
    );
    expect(results.every((r) => r.status === 401)).toBe(true);
    const [row] = await t.sql<{ failed_login_attempts: number; locked: boolean }>(
      `select failed_login_attempts, locked_at is not null as locked from identity.users where id = $1`,
      [id],
    );
    expect(row).toEqual({ failed_login_attempts: 5, locked: true });
    const [{ count }] = await t.sql<{ count: string }>(
      `select count(*) from identity.outbox
       where subject = 'ihf.identity.user.locked.v1' and envelope->'payload'->>'user_id' = $1`,
      [id],
    );
    expect(Number(count)).toBe(1);
  });

  it('lets only one of two concurrent refreshes with the same token win, and revokes the family', async () => {
    const email = 'race@ihf.test';
    await t.createUser(email, PASSWORD);
    const session = await t.login(email, PASSWORD);
    const body = { refresh_token: session.body.refresh_token };
    const [a, b] = await Promise.all([
      t.request('POST', '/api/v1/auth/refresh', { body }),
      t.request('POST', '/api/v1/auth/refresh', { body }),
    ]);
    expect([a.status, b.status].sort()).toEqual([200, 401]);
    const winner = a.status === 200 ? a : b;
    const next = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: winner.body.refresh_token },
    });
    expect(next.status).toBe(401);
  });

  it('lifts a lock once the cool-down has passed', async () => {
    const email = 'cool.down@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    for (let i = 0; i < 5; i++) await t.login(email, 'wrong-password-123');
    expect((await t.login(email, PASSWORD)).status).toBe(401);
    // Default cool-down is 900 s: move the lock into the past rather than wait.
    await t.sql(
      `update identity.users set locked_at = now() - interval '901 seconds' where id = $1`,
      [id],
    );
    expect((await t.login(email, PASSWORD)).status).toBe(200);
    const [row] = await t.sql(
      `select locked_at, failed_login_attempts from identity.users where id = $1`,
      [id],
    );
    expect(row).toEqual({ locked_at: null, failed_login_attempts: 0 });
    // Lifting the lock is announced, after the lock (user.created v1, locked v2, unlocked v3).
    const unlocked = await t.waitForEvent(
      'ihf.identity.user.unlocked.v1',
      (e) => (e.payload as Record<string, unknown>).user_id === id,
    );
    expect(unlocked.envelope).toMatchObject({
      aggregate_id: id,
      aggregate_version: 3,
      payload: { user_id: id, cause: 'cooldown' },
    });
  });

  it('refuses deactivated users with the same answer', async () => {
    const email = 'gone@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const session = await t.login(email, PASSWORD);
    const admin = await t.adminToken();
    expect(
      (await t.request('POST', `/api/v1/users/${id}/deactivate`, { token: admin })).status,
    ).toBe(200);
    const res = await t.login(email, PASSWORD);
    expect(res.status).toBe(401);
    expect(res.body.code).toBe('IDENTITY.INVALID_CREDENTIALS');
    const refresh = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.body.refresh_token },
    });
    expect(refresh.status).toBe(401);

    const back = await t.request('POST', `/api/v1/users/${id}/reactivate`, { token: admin });
    expect(back.status).toBe(200);
    expect(back.body).toMatchObject({ active: true, deactivated_at: null });
    expect((await t.login(email, PASSWORD)).status).toBe(200);
  });

  it('rotates refresh tokens and revokes the family when an old one is reused', async () => {
    const email = 'rotate@ihf.test';
    await t.createUser(email, PASSWORD);
    const first = await t.login(email, PASSWORD);
    const r1 = first.body.refresh_token as string;

    const second = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1 } });
    expect(second.status).toBe(200);
    const r2 = second.body.refresh_token as string;
    expect(r2).not.toBe(r1);
    expect(second.body.access_token).not.toBe(first.body.access_token);
    expect(claimsOf(second.body.access_token as string).sub).toBe(
      claimsOf(first.body.access_token as string).sub,
    );

    const third = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: r2 } });
    expect(third.status).toBe(200);
    const r3 = third.body.refresh_token as string;

    // r1 was already used: someone holds a copy. The whole family goes, r3 included.
    const reuse = await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: r1 } });
    expect(reuse.status).toBe(401);
    expect(reuse.body.code).toBe('IDENTITY.INVALID_REFRESH_TOKEN');
    const afterReuse = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: r3 },
    });
    expect(afterReuse.status).toBe(401);

    // Another session of the same user is unaffected.
    const other = await t.login(email, PASSWORD);
    const otherRefresh = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: other.body.refresh_token },
    });
    expect(otherRefresh.status).toBe(200);

    // Stored hashed, never in clear.
    const stored = await t.sql<{ token_hash: string }>(
      `select token_hash from identity.refresh_tokens`,
    );
    expect(stored.map((s) => s.token_hash)).not.toContain(r1);
    expect(stored.every((s) => /^[0-9a-f]{64}$/.test(s.token_hash))).toBe(true);
  });

  it('logs out: the refresh token stops working', async () => {
    const email = 'logout@ihf.test';
    await t.createUser(email, PASSWORD);
    const session = await t.login(email, PASSWORD);
    const out = await t.request('POST', '/api/v1/auth/logout', {
      body: { refresh_token: session.body.refresh_token },
    });
    expect(out.status).toBe(204);
    const refresh = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.body.refresh_token },
    });
    expect(refresh.status).toBe(401);
    expect(
      (await t.request('POST', '/api/v1/auth/refresh', { body: { refresh_token: 'nonsense' } }))
        .status,
    ).toBe(401);
  });

  it('answers unknown e-mail, wrong password and locked account alike, in similar time', async () => {
    const email = 'timing@ihf.test';
    const lockedEmail = 'timing.locked@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    await t.createUser(lockedEmail, PASSWORD);
    for (let i = 0; i < 5; i++) await t.login(lockedEmail, 'wrong-password-123');

    const attempt = async (
      address: string,
    ): Promise<{ ms: number; status: number; body: unknown }> => {
      const started = process.hrtime.bigint();
      const res = await t.login(address, 'wrong-password-123');
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      return { ms, status: res.status, body: res.body };
    };
    const samples = { unknown: [] as number[], wrong: [] as number[], locked: [] as number[] };
    const bodies = new Set<string>();
    await attempt('warm-up@ihf.test');
    for (let i = 0; i < 15; i++) {
      const unknown = await attempt(`nobody-${i}@ihf.test`);
      const wrong = await attempt(email);
      const locked = await attempt(lockedEmail);
      // Keep the wrong-password account below the lockout threshold (untimed).
      await t.sql(`update identity.users set failed_login_attempts = 0 where id = $1`, [id]);
      for (const [key, r] of [
        ['unknown', unknown],
        ['wrong', wrong],
        ['locked', locked],
      ] as const) {
        expect(r.status).toBe(401);
        bodies.add(JSON.stringify(r.body));
        samples[key].push(r.ms);
      }
    }
    expect(bodies.size).toBe(1);
    const medians = [median(samples.unknown), median(samples.wrong), median(samples.locked)];
    const slowest = Math.max(...medians);
    const fastest = Math.min(...medians);
    // All three spend one argon2id verification (tens of ms); a missing dummy verification
    // would make unknown e-mails answer in about a millisecond.
    expect(fastest).toBeGreaterThan(slowest * 0.5);
    expect(slowest - fastest).toBeLessThan(Math.max(25, slowest * 0.5));
  });

  it('upgrades a hash made with older argon2 parameters at the next sign-in', async () => {
    const email = 'old.hash@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const old = await new PasswordHasher({ memoryKib: 1024, iterations: 1, parallelism: 1 }).hash(
      PASSWORD,
    );
    await t.sql(`update identity.users set password_hash = $2 where id = $1`, [id, old]);
    expect((await t.login(email, PASSWORD)).status).toBe(200);
    const [row] = await t.sql<{ password_hash: string }>(
      `select password_hash from identity.users where id = $1`,
      [id],
    );
    expect(row.password_hash).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect((await t.login(email, PASSWORD)).status).toBe(200);
  });

  it('lets users change their own password, proving the current one', async () => {
    const email = 'self.service@ihf.test';
    await t.createUser(email, PASSWORD);
    const session = await t.login(email, PASSWORD);
    const token = session.body.access_token as string;
    const next = 'Saffron-Glacier-Tunnel-36';
    const wrong = await t.request('PUT', '/api/v1/users/me/password', {
      token,
      body: { current_password: 'not-my-password', new_password: next },
    });
    expect(wrong.status).toBe(403);
    expect(wrong.body.code).toBe('IDENTITY.CURRENT_PASSWORD_INCORRECT');
    const weak = await t.request('PUT', '/api/v1/users/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: 'short' },
    });
    expect(weak.status).toBe(422);
    const ok = await t.request('PUT', '/api/v1/users/me/password', {
      token,
      body: { current_password: PASSWORD, new_password: next },
    });
    expect(ok.status).toBe(204);
    expect((await t.login(email, PASSWORD)).status).toBe(401);
    expect((await t.login(email, next)).status).toBe(200);
    const refresh = await t.request('POST', '/api/v1/auth/refresh', {
      body: { refresh_token: session.body.refresh_token },
    });
    expect(refresh.status).toBe(401);
  });

  it('counts wrong current passwords at change-password like failed sign-ins, and locks both', async () => {
    const email = 'guesser@ihf.test';
    const id = await t.createUser(email, PASSWORD);
    const token = (await t.login(email, PASSWORD)).body.access_token as string;
    const change = (current: string) =>
      t.request('PUT', '/api/v1/users/me/password', {
        token,
        body: { current_password: current, new_password: 'Saffron-Glacier-Tunnel-36' },
      });

    // Two wrong sign-ins and three wrong guesses through change-password: one counter.
    for (let i = 0; i < 2; i++)
      expect((await t.login(email, 'wrong-password-123')).status).toBe(401);
    for (let i = 0; i < 3; i++) {
      const res = await change(`guess-number-${i}-xyz`);
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('IDENTITY.CURRENT_PASSWORD_INCORRECT');
    }
    const [row] = await t.sql<{ failed_login_attempts: number; locked: boolean }>(
      `select failed_login_attempts, locked_at is not null as locked from identity.users where id = $1`,
      [id],
    );
    expect(row).toEqual({ failed_login_attempts: 5, locked: true });
    const locked = await t.waitForEvent(
      'ihf.identity.user.locked.v1',
      (e) => (e.payload as Record<string, unknown>).user_id === id,
    );
    expect(locked.envelope).toMatchObject({ payload: { failed_login_attempts: 5 } });

    // Locked: the right password is refused at both doors, and the password did not change.
    const refused = await change(PASSWORD);
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('IDENTITY.CURRENT_PASSWORD_INCORRECT');
    expect((await t.login(email, PASSWORD)).status).toBe(401);

    // A weak new password is refused before the current one is checked: it costs no attempt.
    const admin = await t.adminToken();
    expect((await t.request('POST', `/api/v1/users/${id}/unlock`, { token: admin })).status).toBe(
      200,
    );
    const weak = await t.request('PUT', '/api/v1/users/me/password', {
      token,
      body: { current_password: 'still-guessing-123', new_password: 'Password123!' },
    });
    expect(weak.status).toBe(422);
    const [after] = await t.sql<{ failed_login_attempts: number }>(
      'select failed_login_attempts from identity.users where id = $1',
      [id],
    );
    expect(after.failed_login_attempts).toBe(0);
    expect((await change(PASSWORD)).status).toBe(204);
  });

  it('counts sign-in outcomes in /metrics', async () => {
    const res = await t.request<string>('GET', '/metrics');
    expect(res.body).toMatch(/ihf_identity_login_attempts_total\{outcome="success"[^}]*\} [1-9]/);
    expect(res.body).toMatch(/ihf_identity_login_attempts_total\{outcome="refused"[^}]*\} [1-9]/);
    expect(res.body).toMatch(
      /ihf_identity_login_attempts_total\{outcome="locked_out"[^}]*\} [1-9]/,
    );
  });

  it('sweeps refresh tokens expired for more than a day', async () => {
    const [{ id: userId }] = await t.sql<{ id: string }>(
      `select id from identity.users where email = $1`,
      [ADMIN_EMAIL],
    );
    await t.sql(
      `insert into identity.refresh_tokens (id, family_id, user_id, token_hash, expires_at)
       values (gen_random_uuid(), gen_random_uuid(), $1, 'old-1', now() - interval '2 days'),
              (gen_random_uuid(), gen_random_uuid(), $1, 'recent-1', now() - interval '1 hour')`,
      [userId],
    );
    const deleted = await t.app.get(RefreshTokenJanitor).sweep();
    expect(deleted).toBe(1);
    const left = await t.sql<{ token_hash: string }>(
      `select token_hash from identity.refresh_tokens where token_hash in ('old-1', 'recent-1')`,
    );
    expect(left).toEqual([{ token_hash: 'recent-1' }]);
  });

  it('validates the login body', async () => {
    const res = await t.request('POST', '/api/v1/auth/login', { body: { email: 'a@b.c' } });
    expect(res.status).toBe(400);
    expect(res.body.code).toBe('REQUEST.VALIDATION_FAILED');
  });
});
