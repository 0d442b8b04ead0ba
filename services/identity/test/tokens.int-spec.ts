import { createHmac, generateKeyPairSync } from 'node:crypto';
import { Controller, Get, Module } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { type AuthenticatedUser, AuthModule, CurrentUser, Role, Roles } from '@ihf/auth';
import { signingKeyFromPem, signJwt, type SigningKey } from '../src/keys/signing-key.js';
import { IdentityTestApp } from './identity-test-app.js';

const PASSWORD = 'Amber-Meadow-Kettle-71';
const HUB = '3f1c2a9e-5b7d-4c1e-9a2b-6d8e0f1a2b3c';

/** Another service: only `@ihf/auth`, pointed at identity's JWKS over HTTP. */
@Controller()
class ProbeController {
  @Get('whoami')
  whoami(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Get('agents-only')
  @Roles(Role.Agent)
  agentsOnly(): { ok: true } {
    return { ok: true };
  }
}

const b64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('identity tokens, verified by another service through the JWKS', () => {
  let t: IdentityTestApp;
  let other: NestFastifyApplication;
  let baseUrl: string;
  let userToken: string;
  let userId: string;

  beforeAll(async () => {
    t = await IdentityTestApp.start();
    baseUrl = await t.listen();

    @Module({
      imports: [AuthModule.forRoot({ jwksUrl: `${baseUrl}/.well-known/jwks.json` })],
      controllers: [ProbeController],
    })
    class OtherServiceModule {}

    const moduleRef = await Test.createTestingModule({ imports: [OtherServiceModule] }).compile();
    other = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await other.init();
    await other.getHttpAdapter().getInstance().ready();

    userId = await t.createUser('reader@ihf.test', PASSWORD, {
      roles: ['viewer', 'triager'],
      hub_ids: [HUB],
    });
    const login = await t.login('reader@ihf.test', PASSWORD);
    userToken = login.body.access_token as string;
  });

  afterAll(async () => {
    await other?.close();
    await t?.close();
  });

  async function otherGet(url: string, token?: string) {
    const res = await other.inject({
      method: 'GET',
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  }

  /** Claims of a valid user token, now, for forging variants. */
  function claims(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    const now = Math.floor(Date.now() / 1000);
    return {
      iss: 'ihf-identity',
      aud: 'ihf',
      sub: userId,
      roles: ['viewer'],
      hubs: [],
      kind: 'user',
      iat: now,
      exp: now + 300,
      ...overrides,
    };
  }

  it('publishes the signing key and the previous key as a JWKS', async () => {
    const res = await fetch(`${baseUrl}/.well-known/jwks.json`);
    expect(res.status).toBe(200);
    const doc = (await res.json()) as { keys: Record<string, unknown>[] };
    expect(doc.keys.map((k) => k.kid)).toEqual([t.signingKey.kid, t.previousKey.kid]);
    for (const key of doc.keys) {
      expect(key).toMatchObject({ kty: 'RSA', use: 'sig', alg: 'RS256' });
      expect(Object.keys(key).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    }
  });

  it("lets another service's guard verify a user token", async () => {
    const res = await otherGet('/whoami', userToken);
    expect(res).toEqual({
      status: 200,
      body: {
        id: userId,
        email: 'reader@ihf.test',
        roles: ['viewer', 'triager'],
        hubIds: [HUB],
        kind: 'user',
      },
    });
  });

  it('still verifies tokens signed with the previous key (rotation)', async () => {
    const token = signJwt(claims(), t.previousKey);
    expect((await otherGet('/whoami', token)).status).toBe(200);
    expect((await t.request('GET', '/api/v1/users/me', { token })).status).toBe(200);
  });

  describe('rejects forged and invalid tokens, at the other service and at identity', () => {
    const cases: [string, () => string][] = [
      ['expired', () => signJwt(claims({ iat: 1_000_000, exp: 1_000_300 }), t.signingKey)],
      ['wrong audience', () => signJwt(claims({ aud: 'someone-else' }), t.signingKey)],
      ['wrong issuer', () => signJwt(claims({ iss: 'evil-identity' }), t.signingKey)],
      [
        'alg none',
        () => `${b64({ alg: 'none', typ: 'JWT', kid: t.signingKey.kid })}.${b64(claims())}.`,
      ],
      [
        'HS256 signed with the public key',
        () => {
          const input = `${b64({ alg: 'HS256', typ: 'JWT', kid: t.signingKey.kid })}.${b64(claims())}`;
          const publicPem = t.signingKey.publicKey.export({ type: 'spki', format: 'pem' });
          const mac = createHmac('sha256', publicPem).update(input).digest('base64url');
          return `${input}.${mac}`;
        },
      ],
      [
        'unknown kid',
        () => {
          const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
          const stranger: SigningKey = signingKeyFromPem(
            privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
            'stranger',
          );
          return signJwt(claims(), stranger);
        },
      ],
      [
        'tampered payload',
        () => {
          const [header, , signature] = userToken.split('.');
          const payload = JSON.parse(
            Buffer.from(userToken.split('.')[1], 'base64url').toString(),
          ) as Record<string, unknown>;
          return `${header}.${b64({ ...payload, roles: ['admin'] })}.${signature}`;
        },
      ],
      [
        'lifetime over an hour',
        () => signJwt(claims({ exp: Math.floor(Date.now() / 1000) + 7200 }), t.signingKey),
      ],
    ];

    it.each(cases)('%s', async (_name, forge) => {
      const token = forge();
      const res = await otherGet('/whoami', token);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
      const atIdentity = await t.request('GET', '/api/v1/users/me', { token });
      expect(atIdentity.status).toBe(401);
    });

    it('accepts the untampered control token', async () => {
      expect((await otherGet('/whoami', signJwt(claims(), t.signingKey))).status).toBe(200);
    });
  });

  describe('agent clients (client credentials)', () => {
    it('issues agent tokens that other services verify, until the client is revoked', async () => {
      const admin = await t.adminToken();
      const created = await t.request('POST', '/api/v1/agents', {
        token: admin,
        body: { name: 'Proposal bot', hub_ids: [HUB] },
      });
      expect(created.status).toBe(201);
      const clientId = created.body.client_id as string;
      const secret = created.body.client_secret as string;
      expect(secret).toMatch(/^ihf_[a-z0-9]{8}_/);
      expect(created.body.secret_prefix).toBe(secret.slice(4, 12));

      const listed = await t.request<{ items: Record<string, unknown>[] }>(
        'GET',
        '/api/v1/agents',
        {
          token: admin,
        },
      );
      expect(listed.body.items).toHaveLength(1);
      expect(JSON.stringify(listed.body)).not.toContain(secret);

      const grant = await t.request('POST', '/api/v1/auth/token', {
        body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
      });
      expect(grant.status).toBe(200);
      expect(grant.body).toMatchObject({ token_type: 'Bearer', expires_in: 900 });
      expect(grant.body).not.toHaveProperty('refresh_token');
      const agentToken = grant.body.access_token as string;

      expect(await otherGet('/whoami', agentToken)).toEqual({
        status: 200,
        body: { id: clientId, roles: ['agent'], hubIds: [HUB], kind: 'agent' },
      });
      expect((await otherGet('/agents-only', agentToken)).status).toBe(200);
      expect((await otherGet('/agents-only', userToken)).status).toBe(403);

      const event = await t.waitForEvent(
        'ihf.identity.user.created.v1',
        (e) => (e.payload as Record<string, unknown>).user_id === clientId,
      );
      expect(event.envelope.payload).toMatchObject({ kind: 'agent', roles: ['agent'] });
      expect(event.envelope).toMatchObject({ aggregate_id: clientId, aggregate_version: 1 });

      const wrong = await t.request('POST', '/api/v1/auth/token', {
        body: {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: `${secret.slice(0, -1)}${secret.endsWith('A') ? 'B' : 'A'}`,
        },
      });
      expect(wrong.status).toBe(401);
      expect(wrong.body.code).toBe('IDENTITY.INVALID_CLIENT');

      const revoked = await t.request('POST', `/api/v1/agents/${clientId}/revoke`, {
        token: admin,
      });
      expect(revoked.status).toBe(200);
      expect(revoked.body.revoked_at).toEqual(expect.any(String));
      const afterRevoke = await t.request('POST', '/api/v1/auth/token', {
        body: { grant_type: 'client_credentials', client_id: clientId, client_secret: secret },
      });
      expect(afterRevoke.status).toBe(401);
    });

    it('issues hub-scoped deployer tokens to a client created with that role', async () => {
      const admin = await t.adminToken();
      const noHubs = await t.request('POST', '/api/v1/agents', {
        token: admin,
        body: { name: 'CI without hubs', role: 'deployer' },
      });
      expect(noHubs.status).toBe(422);
      expect(noHubs.body).toMatchObject({ code: 'IDENTITY.DEPLOYER_NEEDS_HUBS', field: 'hub_ids' });
      const badRole = await t.request('POST', '/api/v1/agents', {
        token: admin,
        body: { name: 'CI', role: 'admin', hub_ids: [HUB] },
      });
      expect(badRole.status).toBe(400);

      const created = await t.request('POST', '/api/v1/agents', {
        token: admin,
        body: { name: 'CI pipeline', role: 'deployer', hub_ids: [HUB] },
      });
      expect(created.status).toBe(201);
      expect(created.body.role).toBe('deployer');
      const clientId = created.body.client_id as string;
      const grant = await t.request('POST', '/api/v1/auth/token', {
        body: {
          grant_type: 'client_credentials',
          client_id: clientId,
          client_secret: created.body.client_secret,
        },
      });
      expect(grant.status).toBe(200);
      expect(await otherGet('/whoami', grant.body.access_token as string)).toEqual({
        status: 200,
        body: { id: clientId, roles: ['deployer'], hubIds: [HUB], kind: 'agent' },
      });
      // Not an agent: the agents-only route refuses it.
      expect((await otherGet('/agents-only', grant.body.access_token as string)).status).toBe(403);
      const event = await t.waitForEvent(
        'ihf.identity.user.created.v1',
        (e) => (e.payload as Record<string, unknown>).user_id === clientId,
      );
      expect(event.envelope.payload).toMatchObject({ kind: 'agent', roles: ['deployer'] });
    });

    it('lets only admins manage agent clients', async () => {
      const res = await t.request('POST', '/api/v1/agents', {
        token: userToken,
        body: { name: 'nope' },
      });
      expect(res.status).toBe(403);
    });
  });
});
