import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroORM } from '@mikro-orm/core';
import { type EntityManager } from '@mikro-orm/postgresql';
import { TestTokenIssuer } from '@ihf/auth';
import { migrateSchema } from '@ihf/persistence';
import { createServiceApp, loadConfig } from '@ihf/platform';
import { createTestEnvironment, type TestEnvironment, withResponseValidation } from '@ihf/testing';
import { ingestionAppOptions } from '../src/bootstrap.js';
import { IngestionConfig } from '../src/config/ingestion.config.js';
import { ingestionOrmSettings } from '../src/database/ingestion-orm.settings.js';

export const ADMIN_ID = '00000000-0000-4000-8000-0000000000ad';

/** The ingestion service on this test file's own database and bus namespace. */
export class IngestionFixture {
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  app!: NestFastifyApplication;
  config!: IngestionConfig;
  adminToken!: string;

  /**
   * @param vars extra variables (e.g. rate limits); `DATABASE_URL` / `NATS_URL` here replace
   *   the environment's (to go through a TcpProxy).
   */
  static async start(
    vars: Record<string, string> = {},
    urls?: (env: TestEnvironment) => { databaseUrl?: string; natsUrl?: string },
    before?: (env: TestEnvironment) => Promise<void>,
  ): Promise<IngestionFixture> {
    const f = new IngestionFixture();
    f.env = await createTestEnvironment();
    await before?.(f.env);
    f.issuer = await TestTokenIssuer.start();
    const over = urls?.(f.env) ?? {};
    const envVars = {
      DATABASE_URL: over.databaseUrl ?? f.env.databaseUrl,
      NATS_URL: over.natsUrl ?? f.env.natsUrl,
      IHF_NATS_NAMESPACE: f.env.natsNamespace,
      IHF_JWKS_URL: f.issuer.jwksUrl,
      LOG_LEVEL: process.env.IHF_TEST_LOG_LEVEL ?? 'silent',
      ...vars,
    };
    f.config = loadConfig(IngestionConfig, envVars);
    await migrateSchema(ingestionOrmSettings(f.env.databaseUrl));
    // Every answer is checked against the OpenAPI document: a drift fails the test that saw it.
    f.app = await createServiceApp(withResponseValidation(ingestionAppOptions(f.config, envVars)));
    f.adminToken = f.issuer.sign({ sub: ADMIN_ID, roles: ['admin'] });
    return f;
  }

  async stop(): Promise<void> {
    await this.app?.close();
    await this.issuer?.close();
    await this.env?.teardown();
  }

  /** A fresh EntityManager on the test database (direct, not through any proxy). */
  em(): EntityManager {
    return this.app.get(MikroORM).em.fork() as unknown as EntityManager;
  }

  token(roles: string[], hubs: string[] = []): string {
    return this.issuer.sign({ sub: randomUUID(), roles: roles, hubs });
  }

  async request<T = unknown>(
    method: 'GET' | 'POST' | 'PATCH' | 'DELETE',
    url: string,
    body?: unknown,
    token = this.adminToken,
  ): Promise<{ status: number; body: T; headers: Record<string, unknown> }> {
    const res = await this.app.inject({
      method,
      url,
      headers: { authorization: `Bearer ${token}` },
      ...(body === undefined ? {} : { payload: body as object }),
    });
    return {
      status: res.statusCode,
      body: (res.body ? JSON.parse(res.body) : undefined) as T,
      headers: res.headers,
    };
  }

  async createHub(slug = `hub-${randomUUID().slice(0, 8)}`): Promise<{ id: string; slug: string }> {
    const res = await this.request<{ id: string; slug: string }>('POST', '/api/v1/hubs', {
      slug,
      name: `Hub ${slug}`,
      domain: 'shop.example.com',
    });
    if (res.status !== 201) throw new Error(`createHub: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async createKey(hubId: string): Promise<{ id: string; key: string; prefix: string }> {
    const res = await this.request<{ id: string; key: string; prefix: string }>(
      'POST',
      `/api/v1/hubs/${hubId}/api-keys`,
      { label: 'test' },
    );
    if (res.status !== 201) throw new Error(`createKey: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async createWidget(
    hubId: string,
    extra: Record<string, unknown> = {},
  ): Promise<{ id: string; version: number; status: string }> {
    const res = await this.request<{ id: string; version: number; status: string }>(
      'POST',
      `/api/v1/hubs/${hubId}/widgets`,
      { name: 'Buy button', widget_type: 'button', view_context: 'checkout', ...extra },
    );
    if (res.status !== 201)
      throw new Error(`createWidget: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body;
  }

  async outboxSubjects(): Promise<string[]> {
    const rows = await this.em().execute<{ subject: string }[]>(
      'select subject from ingestion.outbox order by seq',
    );
    return rows.map((r) => r.subject);
  }
}
