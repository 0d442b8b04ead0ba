import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import { type EventEnvelope, type PayloadOf, type Subject } from '@ihf/contracts';
import { createServiceApp, loadConfig } from '@ihf/platform';
import {
  createTestEnvironment,
  TestBus,
  type TestEnvironment,
  type TestPublishOptions,
  waitFor,
  withResponseValidation,
} from '@ihf/testing';
import { deploymentAppOptions } from '../src/bootstrap.js';
import { ManualClock } from '../src/common/clock.js';
import { DeploymentConfig } from '../src/config/deployment.config.js';
import { migrateDeployment } from '../src/database/migrate-deployment.js';

export interface TestUser {
  readonly id: string;
  readonly roles: string[];
  readonly hubs: string[];
}

export const user = (roles: string[], hubs: string[]): TestUser => ({
  id: randomUUID(),
  roles,
  hubs,
});

/**
 * deployment-outcomes on its own database and bus namespace, migrated as on start, with a
 * stand-in JWKS issuer, a manual clock, and a bus connection that publishes the events of
 * governance, feedback and ingestion it consumes.
 */
export class DeploymentTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  bus!: TestBus;
  clock = new ManualClock(new Date('2026-12-01T00:00:00.000Z'));

  static async start(extraVars: Record<string, string> = {}): Promise<DeploymentTestApp> {
    const t = new DeploymentTestApp();
    t.env = await createTestEnvironment();
    t.issuer = await TestTokenIssuer.start();
    const vars: Record<string, string> = {
      LOG_LEVEL: process.env.DEP_LOG ?? 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_JWKS_URL: t.issuer.jwksUrl,
      DEPLOYMENT_MIN_SAMPLE: '10',
      // The scenarios count `view` events as views (the default is the SDK's `viewed`).
      DEPLOYMENT_VIEW_EVENT_TYPE: 'view',
      // The tests run the scheduler's ticks themselves.
      DEPLOYMENT_SCHEDULER_INTERVAL_MS: '86400000',
      DEPLOYMENT_ROLLUP_BATCH: '500',
      ...extraVars,
    };
    const config = loadConfig(DeploymentConfig, vars);
    await migrateDeployment(t.env.databaseUrl);
    t.app = await createServiceApp(
      withResponseValidation({
        ...deploymentAppOptions(config, vars, { clock: t.clock }),
        config: DeploymentConfig,
      }),
    );
    t.bus = await TestBus.connect(t.env.natsUrl, t.env.natsNamespace);
    return t;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.bus?.close();
    await this.issuer?.close();
    await this.env?.teardown();
  }

  token(u: TestUser, kind?: 'agent'): string {
    return this.issuer.sign({ sub: u.id, roles: u.roles, hubs: u.hubs, ...(kind ? { kind } : {}) });
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    url: string,
    options: { body?: unknown; user?: TestUser } = {},
  ): Promise<{ status: number; body: T }> {
    const res = await this.app.inject({
      method,
      url,
      headers: options.user ? { authorization: `Bearer ${this.token(options.user)}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    return { status: res.statusCode, body: (res.body ? res.json() : res.body) as T };
  }

  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: this.env.databaseUrl });
    await client.connect();
    try {
      return (await client.query(query, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  publish<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    options: TestPublishOptions = {},
  ): Promise<EventEnvelope<PayloadOf<S>, S>> {
    return this.bus.publish(subject, payload, options);
  }

  /** Waits until `sql` returns a row. */
  async until(sql: string, params: unknown[], message: string): Promise<void> {
    await waitFor(async () => ((await this.sql(sql, params)).length > 0 ? true : undefined), {
      timeoutMs: 15_000,
      message,
    });
  }

  /** Waits until a rollup feed's watermark has applied `applied` events. */
  async rollupApplied(feed: string, applied: number): Promise<void> {
    await this.until(
      'select 1 from deployment.rollup_watermarks where feed = $1 and applied >= $2',
      [feed, applied],
      `${feed} rollup at ${applied}`,
    );
  }
}
