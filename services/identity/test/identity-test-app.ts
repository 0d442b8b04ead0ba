import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type AddressInfo } from 'node:net';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { jetstreamManager, type StoredMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { physicalStreamName, physicalSubject } from '@ihf/contracts';
import { createServiceApp, loadConfig } from '@ihf/platform';
import {
  createTestEnvironment,
  harnessSecurity,
  type TestEnvironment,
  waitFor,
  withResponseValidation,
} from '@ihf/testing';
import { AppModule } from '../src/app.module.js';
import { IdentityConfig } from '../src/config/identity.config.js';
import { migrateIdentity } from '../src/database/migrate-identity.js';
import { signingKeyFromPem, type SigningKey } from '../src/keys/signing-key.js';
import { IDENTITY_OPENAPI } from '../src/openapi.js';

export const ADMIN_EMAIL = 'root@ihf.test';
export const ADMIN_PASSWORD = 'Tidy-Harbour-Lantern-93';

/** A simple response view for assertions. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
  readonly headers: Record<string, unknown>;
}

/** Writes a new RSA private key PEM into `dir` and returns its path and key. */
export function writeRsaKey(dir: string, name: string): { file: string; key: SigningKey } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const file = join(dir, name);
  writeFileSync(file, pem, { mode: 0o600 });
  return { file, key: signingKeyFromPem(pem, file) };
}

/**
 * The identity service on its own database and bus namespace, migrated as on start, with an
 * admin from IHF_ADMIN_*, a signing key and a published-only "previous" key on disk.
 */
export class IdentityTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  config!: IdentityConfig;
  signingKey!: SigningKey;
  previousKey!: SigningKey;
  private keyDir!: string;

  static async start(overrides: Record<string, string> = {}): Promise<IdentityTestApp> {
    const t = new IdentityTestApp();
    t.env = await createTestEnvironment();
    t.keyDir = mkdtempSync(join(tmpdir(), 'ihf-identity-test-'));
    const signing = writeRsaKey(t.keyDir, 'current.pem');
    const previous = writeRsaKey(t.keyDir, 'previous.pem');
    t.signingKey = signing.key;
    t.previousKey = previous.key;
    const vars: Record<string, string> = {
      NODE_ENV: 'test',
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_ADMIN_EMAIL: ADMIN_EMAIL,
      IHF_ADMIN_PASSWORD: ADMIN_PASSWORD,
      IHF_JWT_PRIVATE_KEY_FILE: signing.file,
      IHF_JWT_ADDITIONAL_KEY_FILES: previous.file,
      ...overrides,
    };
    t.config = loadConfig(IdentityConfig, vars);
    await migrateIdentity(t.env.databaseUrl);
    // Every answer is checked against the OpenAPI document: a drift fails the test that saw it.
    t.app = await createServiceApp(
      withResponseValidation({
        name: 'identity',
        module: AppModule.forRoot(t.config),
        defaultPort: 0,
        config: IdentityConfig,
        env: vars,
        openApi: IDENTITY_OPENAPI,
      }),
    );
    return t;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.env?.teardown();
    if (this.keyDir) rmSync(this.keyDir, { recursive: true, force: true });
  }

  /** Listens on 127.0.0.1:<random port>; returns the base URL. */
  async listen(): Promise<string> {
    await this.app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = this.app.getHttpServer().address() as AddressInfo;
    return `http://127.0.0.1:${port}`;
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; token?: string } = {},
  ): Promise<Answer<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: options.token ? { authorization: `Bearer ${options.token}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const json = String(res.headers['content-type'] ?? '').includes('json');
    const body = (json && res.body ? res.json<T>() : res.body) as T;
    return { status: res.statusCode, body, headers: res.headers };
  }

  async login(email: string, password: string): Promise<Answer> {
    return this.request('POST', '/api/v1/auth/login', { body: { email, password } });
  }

  /** An access token of the bootstrap admin. */
  async adminToken(): Promise<string> {
    const res = await this.login(ADMIN_EMAIL, ADMIN_PASSWORD);
    if (res.status !== 200) throw new Error(`admin login failed: ${JSON.stringify(res.body)}`);
    return res.body.access_token as string;
  }

  /** Creates a user through the admin API; returns its id. */
  async createUser(
    email: string,
    password: string,
    extra: { roles?: string[]; hub_ids?: string[]; name?: string } = {},
  ): Promise<string> {
    const res = await this.request('POST', '/api/v1/users', {
      token: await this.adminToken(),
      body: { email, password, name: extra.name ?? 'Test User', ...extra },
    });
    if (res.status !== 201) throw new Error(`create user failed: ${JSON.stringify(res.body)}`);
    return res.body.id as string;
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

  /** Waits until the IHF_IDENTITY stream (namespaced) holds an event matching `predicate`. */
  async waitForEvent(
    subject: string,
    predicate: (envelope: Record<string, unknown>) => boolean,
  ): Promise<{ subject: string; envelope: Record<string, unknown> }> {
    const nc = await connect({
      servers: this.env.natsUrl.split(','),
      name: 'identity-test',
      ...harnessSecurity(),
    });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = physicalStreamName(this.env.natsNamespace, 'IHF_IDENTITY');
      const physical = physicalSubject(this.env.natsNamespace, subject);
      return await waitFor(
        async () => {
          const info = await jsm.streams.info(stream);
          for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
            let msg: StoredMsg | null;
            try {
              msg = await jsm.streams.getMessage(stream, { seq });
            } catch {
              continue;
            }
            if (!msg || msg.subject !== physical) continue;
            const envelope = msg.json<Record<string, unknown>>();
            if (predicate(envelope)) return { subject: msg.subject, envelope };
          }
          return undefined;
        },
        { timeoutMs: 10_000, message: `${subject} on ${stream}` },
      );
    } finally {
      await nc.close();
    }
  }
}
