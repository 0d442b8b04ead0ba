import { Controller, Get, HttpCode, Injectable, Logger, Module, Param, Post } from '@nestjs/common';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { createHmac } from 'node:crypto';
import {
  ApiKeyAuth,
  type ApiKeyPrincipal,
  ApiKeyVerifier,
  assertHubAccess,
  AuthModule,
  type AuthenticatedUser,
  CurrentApiKey,
  CurrentUser,
  generateApiKey,
  type PresentedApiKey,
  Public,
  Role,
  Roles,
  TestTokenIssuer,
  verifyApiKeyHash,
} from '@ihf/auth';

const HUB = '11111111-1111-4111-8111-111111111111';
const OTHER_HUB = '22222222-2222-4222-8222-222222222222';
const goodKey = generateApiKey();

@Injectable()
class FakeApiKeyVerifier extends ApiKeyVerifier {
  readonly stored = [{ id: 'key-1', hubId: HUB, prefix: goodKey.prefix, hash: goodKey.hash }];

  verify(presented: PresentedApiKey): Promise<ApiKeyPrincipal | null> {
    const row = this.stored.find((r) => r.prefix === presented.prefix);
    if (!row || !verifyApiKeyHash(presented.key, row.hash)) return Promise.resolve(null);
    return Promise.resolve({ hubId: row.hubId, keyId: row.id, prefix: row.prefix });
  }
}

@Controller()
class ProbeController {
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser): AuthenticatedUser {
    return user;
  }

  @Get('triage')
  @Roles(Role.Triager, Role.Admin)
  triage(): { ok: true } {
    return { ok: true };
  }

  @Get('hubs/:hubId')
  hub(@CurrentUser() user: AuthenticatedUser, @Param('hubId') hubId: string): { hubId: string } {
    assertHubAccess(user, hubId);
    return { hubId };
  }

  @Public()
  @Get('health')
  health(): { status: 'ok' } {
    return { status: 'ok' };
  }

  @ApiKeyAuth()
  @Post('report')
  @HttpCode(200)
  report(@CurrentApiKey() key: ApiKeyPrincipal): ApiKeyPrincipal {
    return key;
  }
}

function b64(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

describe('@ihf/auth in a Fastify app', () => {
  let issuer: TestTokenIssuer;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    issuer = await TestTokenIssuer.start();

    @Module({
      imports: [AuthModule.forRoot({ jwksUrl: issuer.jwksUrl })],
      controllers: [ProbeController],
      providers: [{ provide: ApiKeyVerifier, useClass: FakeApiKeyVerifier }],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    await app.init();
    await app.getHttpAdapter().getInstance().ready();
  });

  afterAll(async () => {
    await app?.close();
    await issuer?.close();
  });

  async function get(url: string, token?: string) {
    const res = await app.inject({
      method: 'GET',
      url,
      headers: token === undefined ? {} : { authorization: `Bearer ${token}` },
    });
    return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
  }

  /** Asserts a 401 whose body does not reveal which check failed. */
  async function expectGeneric401(url: string, token?: string): Promise<void> {
    const res = await get(url, token);
    expect(res).toEqual({
      status: 401,
      body: {
        type: 'about:blank',
        title: 'Unauthorized',
        status: 401,
        code: 'AUTH.UNAUTHENTICATED',
        detail: 'Missing or invalid credentials.',
      },
    });
  }

  describe('user JWTs', () => {
    it('accepts a valid token and maps its claims', async () => {
      const token = issuer.sign({ roles: ['viewer'], hubs: [HUB], email: 'v@example.org' });
      await expect(get('/me', token)).resolves.toEqual({
        status: 200,
        body: {
          id: TestTokenIssuer.DEFAULT_SUBJECT,
          email: 'v@example.org',
          roles: ['viewer'],
          hubIds: [HUB],
          kind: 'user',
        },
      });
    });

    it.each(['PS256', 'ES256'] as const)('accepts %s', async (alg) => {
      expect((await get('/me', issuer.sign({}, { alg }))).status).toBe(200);
    });

    it('serves later requests from the cached JWKS', async () => {
      const before = issuer.jwksRequests;
      await get('/me', issuer.sign());
      await get('/me', issuer.sign());
      expect(issuer.jwksRequests).toBe(before);
    });

    it('lets public routes through without a token', async () => {
      await expect(get('/health')).resolves.toEqual({ status: 200, body: { status: 'ok' } });
    });

    it('401: missing token', () => expectGeneric401('/me'));

    it('401: another scheme', async () => {
      const res = await app.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Basic ${issuer.sign()}` },
      });
      expect(res.statusCode).toBe(401);
    });

    it('401: token in the query string', async () => {
      const res = await app.inject({ method: 'GET', url: `/me?access_token=${issuer.sign()}` });
      expect(res.statusCode).toBe(401);
    });

    it('401: expired', () =>
      expectGeneric401(
        '/me',
        issuer.sign({}, { issuedAt: Math.floor(Date.now() / 1000) - 600, expiresInSec: 300 }),
      ));

    it('401: wrong audience', () =>
      expectGeneric401('/me', issuer.sign({}, { audience: 'other-service' })));

    it('logs the reason it does not return', async () => {
      const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
      try {
        await expectGeneric401('/me', issuer.sign({}, { audience: 'other-service' }));
        expect(warn).toHaveBeenCalledWith(expect.stringMatching(/JWT rejected: .*audience/));
      } finally {
        warn.mockRestore();
      }
    });

    it('401: wrong issuer', () => expectGeneric401('/me', issuer.sign({}, { issuer: 'evil' })));

    it('401: no exp', () => expectGeneric401('/me', issuer.sign({}, { omit: ['exp'] })));

    it('401: alg none', () => {
      const [header, payload] = issuer.sign().split('.');
      const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as object;
      return Promise.all([
        expectGeneric401('/me', `${b64({ ...h, alg: 'none' })}.${payload}.`),
        expectGeneric401('/me', `${b64({ ...h, alg: 'none' })}.${payload}.x`),
      ]);
    });

    it('401: HS256 signed with the public key as HMAC secret', () => {
      const [header, payload] = issuer.sign().split('.');
      const h = JSON.parse(Buffer.from(header, 'base64url').toString()) as object;
      const input = `${b64({ ...h, alg: 'HS256' })}.${payload}`;
      const sig = createHmac('sha256', issuer.rsaPublicKeyPem).update(input).digest('base64url');
      return expectGeneric401('/me', `${input}.${sig}`);
    });

    it('401: unknown kid, without refetching the JWKS for every forged kid', async () => {
      const before = issuer.jwksRequests;
      for (let i = 0; i < 5; i++) {
        await expectGeneric401('/me', issuer.sign({}, { kid: `forged-${i}` }));
      }
      // The default minimum refresh interval (30 s) allows at most one fetch here.
      expect(issuer.jwksRequests - before).toBeLessThanOrEqual(1);
    });

    it('401: tampered payload', () => {
      const [header, , signature] = issuer.sign({ roles: ['viewer'] }).split('.');
      const iat = Math.floor(Date.now() / 1000);
      const forged = b64({
        iss: issuer.issuer,
        aud: issuer.audience,
        sub: TestTokenIssuer.DEFAULT_SUBJECT,
        roles: ['admin'],
        kind: 'user',
        iat,
        exp: iat + 300,
      });
      return expectGeneric401('/me', `${header}.${forged}.${signature}`);
    });

    it('401: ES256 header on an RSA key', () =>
      expectGeneric401(
        '/me',
        issuer.sign({}, { alg: 'RS256' }).replace(/^[^.]+/, (h) => {
          const parsed = JSON.parse(Buffer.from(h, 'base64url').toString()) as object;
          return b64({ ...parsed, alg: 'ES256' });
        }),
      ));

    it('401: lifetime longer than allowed, though correctly signed', () =>
      expectGeneric401('/me', issuer.sign({}, { expiresInSec: 2 * 3600 })));

    it('401: unknown role', () =>
      expectGeneric401('/me', issuer.sign({ roles: ['viewer', 'superuser'] })));

    it('401: garbage token', () => expectGeneric401('/me', 'not.a.jwt'));
  });

  describe('roles', () => {
    it('200 with one of the required roles', async () => {
      expect((await get('/triage', issuer.sign({ roles: ['triager'] }))).status).toBe(200);
      expect((await get('/triage', issuer.sign({ roles: ['admin'] }))).status).toBe(200);
    });

    it('403 problem without them', async () => {
      const res = await get('/triage', issuer.sign({ roles: ['viewer', 'reviewer'] }));
      expect(res).toEqual({
        status: 403,
        body: expect.objectContaining({ status: 403, code: 'AUTH.ROLE_REQUIRED' }) as unknown,
      });
    });

    it('401 (not 403) without a token', () => expectGeneric401('/triage'));
  });

  describe('hub scope', () => {
    it('200 in a member hub, 403 in another, admins everywhere', async () => {
      const member = issuer.sign({ roles: ['viewer'], hubs: [HUB] });
      expect((await get(`/hubs/${HUB}`, member)).status).toBe(200);
      const denied = await get(`/hubs/${OTHER_HUB}`, member);
      expect(denied.status).toBe(403);
      expect(denied.body.code).toBe('AUTH.HUB_ACCESS_DENIED');
      expect((await get(`/hubs/${OTHER_HUB}`, issuer.sign({ roles: ['admin'] }))).status).toBe(200);
    });
  });

  describe('API keys', () => {
    async function report(authorization?: string) {
      const res = await app.inject({
        method: 'POST',
        url: '/report',
        headers: authorization === undefined ? {} : { authorization },
      });
      return { status: res.statusCode, body: res.json<Record<string, unknown>>() };
    }

    it('200 with a good key, principal attached', async () => {
      await expect(report(`Bearer ${goodKey.key}`)).resolves.toEqual({
        status: 200,
        body: { hubId: HUB, keyId: 'key-1', prefix: goodKey.prefix },
      });
    });

    it.each([
      ['missing', undefined],
      ['malformed', 'Bearer ihf_short_secret'],
      ['not a bearer', `Basic ${goodKey.key}`],
      ['unknown', `Bearer ${generateApiKey().key}`],
      ['right prefix, wrong secret', `Bearer ihf_${goodKey.prefix}_${'A'.repeat(43)}`],
    ])('401 when %s', async (_name, authorization) => {
      const res = await report(authorization);
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('AUTH.UNAUTHENTICATED');
    });

    it('401 with a user JWT', async () => {
      expect((await report(`Bearer ${issuer.sign({ roles: ['admin'] })}`)).status).toBe(401);
    });

    it('an API key is not a user token', async () => {
      await expectGeneric401('/me', goodKey.key);
    });
  });
});

describe('@ihf/auth while identity is unreachable', () => {
  it('answers 503 when no key was ever fetched', async () => {
    const issuer = await TestTokenIssuer.start();
    issuer.available = false;

    @Module({
      imports: [AuthModule.forRoot({ jwksUrl: issuer.jwksUrl })],
      controllers: [ProbeController],
      providers: [{ provide: ApiKeyVerifier, useClass: FakeApiKeyVerifier }],
    })
    class AppModule {}

    const moduleRef = await Test.createTestingModule({ imports: [AppModule] }).compile();
    const app = moduleRef.createNestApplication<NestFastifyApplication>(new FastifyAdapter(), {
      logger: false,
    });
    try {
      await app.init();
      await app.getHttpAdapter().getInstance().ready();
      const res = await app.inject({
        method: 'GET',
        url: '/me',
        headers: { authorization: `Bearer ${issuer.sign()}` },
      });
      expect(res.statusCode).toBe(503);
      expect(res.json<{ code: string }>().code).toBe('AUTH.KEYS_UNAVAILABLE');
    } finally {
      await app.close();
      await issuer.close();
    }
  });
});
