import { randomUUID } from 'node:crypto';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { type ParsedMail, simpleParser } from 'mailparser';
import { Client } from 'pg';
import { SMTPServer } from 'smtp-server';
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
import { notificationsAppOptions } from '../src/bootstrap.js';
import { NotificationsConfig } from '../src/config/notifications.config.js';
import { migrateNotifications } from '../src/database/migrate-notifications.js';

export const TEST_SECRET_KEY = Buffer.alloc(32, 42).toString('base64');

export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

export interface TestUser {
  readonly id: string;
  readonly roles: string[];
  readonly hubs: string[];
  readonly email?: string;
}

/** A user with a fresh id (and an address, for the mail tests). */
export function user(roles: string[], hubs: string[]): TestUser {
  const id = randomUUID();
  return { id, roles, hubs, email: `u-${id.slice(0, 8)}@ihf.test` };
}

/** A real SMTP server (smtp-server) in the test process; every mail parsed with mailparser. */
export class MailCatcher {
  readonly mails: ParsedMail[] = [];
  private server!: SMTPServer;
  port!: number;

  static async start(): Promise<MailCatcher> {
    const c = new MailCatcher();
    c.server = new SMTPServer({
      authOptional: true,
      disabledCommands: ['STARTTLS'],
      logger: false,
      onData(stream, _session, callback) {
        simpleParser(stream)
          .then((mail) => {
            c.mails.push(mail);
            callback();
          })
          .catch(callback);
      },
    });
    await new Promise<void>((resolve) => c.server.listen(0, '127.0.0.1', resolve));
    c.port = (c.server.server.address() as AddressInfo).port;
    return c;
  }

  to(address: string): ParsedMail[] {
    return this.mails.filter((m) =>
      [m.to].flat().some((t) => t?.value.some((v) => v.address === address)),
    );
  }

  close(): Promise<void> {
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * A header as the mail carried it (mailparser folds the List-* headers into one `list`
 * object; RFC 8058 is about the raw headers).
 */
export function rawHeader(mail: ParsedMail, name: string): string | undefined {
  const line = mail.headerLines.find((h) => h.key === name.toLowerCase())?.line;
  return line
    ?.slice(line.indexOf(':') + 1)
    .replace(/\r?\n\s+/g, ' ')
    .trim();
}

/** One request a test receiver got. */
export interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** An HTTP receiver on loopback answering each request with what `answer` says. */
export class WebhookReceiver {
  readonly received: Received[] = [];
  answer: (r: Received) => number = () => 204;
  private server!: Server;
  url!: string;

  static async start(path = '/hook'): Promise<WebhookReceiver> {
    const r = new WebhookReceiver();
    r.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const got = { headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
        r.received.push(got);
        const status = r.answer(got);
        if (status >= 300 && status < 400) res.setHeader('location', 'http://127.0.0.1:9/x');
        res.statusCode = status;
        res.end();
      });
    });
    await new Promise<void>((resolve) => r.server.listen(0, '127.0.0.1', resolve));
    r.url = `http://127.0.0.1:${(r.server.address() as AddressInfo).port}${path}`;
    return r;
  }

  close(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((resolve) => this.server.close(() => resolve()));
  }
}

/**
 * The notifications service on its own database and bus namespace, migrated as on start, with
 * a stand-in JWKS issuer, an SMTP server, and a NATS connection to publish the events it consumes.
 */
export class NotificationsTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  bus!: TestBus;
  smtp!: MailCatcher;

  static async start(vars: Record<string, string> = {}): Promise<NotificationsTestApp> {
    const t = new NotificationsTestApp();
    t.env = await createTestEnvironment();
    t.issuer = await TestTokenIssuer.start();
    t.smtp = await MailCatcher.start();
    const env: Record<string, string> = {
      LOG_LEVEL: process.env.NOTIFY_LOG ?? 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_JWKS_URL: t.issuer.jwksUrl,
      NOTIFICATIONS_SECRET_KEY: TEST_SECRET_KEY,
      SMTP_URL: `smtp://127.0.0.1:${t.smtp.port}`,
      NOTIFICATIONS_PUBLIC_URL: 'http://notify.ihf.test',
      NOTIFICATIONS_POLL_MS: '100',
      // Tests deliver to receivers on loopback: the allow-list names exactly that.
      WEBHOOK_ALLOWED_PRIVATE_CIDRS: '127.0.0.1/32',
      WEBHOOK_TIMEOUT_MS: '3000',
      ...vars,
    };
    const config = loadConfig(NotificationsConfig, env);
    await migrateNotifications(t.env.databaseUrl);
    t.app = await createServiceApp(
      withResponseValidation({
        ...notificationsAppOptions(config, env),
        config: NotificationsConfig,
      }),
    );
    t.bus = await TestBus.connect(t.env.natsUrl, t.env.natsNamespace);
    return t;
  }

  async close(): Promise<void> {
    await this.app?.close();
    await this.bus?.close();
    await this.smtp?.close();
    await this.issuer?.close();
    await this.env?.teardown();
  }

  token(u: TestUser): string {
    return this.issuer.sign({ sub: u.id, roles: u.roles, hubs: u.hubs });
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; user?: TestUser; headers?: Record<string, string> } = {},
  ): Promise<Answer<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(options.user ? { authorization: `Bearer ${this.token(options.user)}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const contentType = String(res.headers['content-type'] ?? '');
    const body = (contentType.includes('json') && res.body ? res.json<T>() : res.body) as T;
    return { status: res.statusCode, body };
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

  /** Waits until `sql` returns at least `n` rows (and returns them). */
  async rows<T = Record<string, unknown>>(
    sql: string,
    params: unknown[],
    n = 1,
    message = sql,
  ): Promise<T[]> {
    return waitFor(
      async () => {
        const rows = await this.sql<T>(sql, params);
        return rows.length >= n ? rows : undefined;
      },
      { timeoutMs: 15_000, message },
    );
  }

  /** Identity's user.created and membership.changed for `u`; waits until the read model has them. */
  async announceUser(u: TestUser, withEmail = true): Promise<void> {
    await this.publish(
      'ihf.identity.user.created.v1',
      {
        user_id: u.id,
        kind: 'user',
        name: `User ${u.id.slice(0, 4)}`,
        ...(withEmail && u.email ? { email: u.email } : {}),
        roles: u.roles as PayloadOf<'ihf.identity.user.created.v1'>['roles'],
        created_at: new Date().toISOString(),
      },
      { aggregateId: u.id, aggregateVersion: 1 },
    );
    await this.publish(
      'ihf.identity.membership.changed.v1',
      {
        user_id: u.id,
        hub_ids: u.hubs,
        roles: u.roles as PayloadOf<'ihf.identity.membership.changed.v1'>['roles'],
      },
      { aggregateId: u.id, aggregateVersion: 1 },
    );
    await this.rows(
      'select 1 from notifications.principals where user_id = $1 and name is not null and membership_version = 1',
      [u.id],
      1,
      `principal ${u.id}`,
    );
  }

  /**
   * Feedback's events of a candidate in `hubId` reported by `reporter` (an annotation, then a
   * candidate made from it); waits until the read model has both.
   */
  async candidate(
    hubId: string,
    reporter: TestUser,
    title = 'Checkout button is hidden',
  ): Promise<string> {
    const annotationId = randomUUID();
    const candidateId = randomUUID();
    const widgetId = randomUUID();
    await this.publish(
      'ihf.feedback.annotation.created.v1',
      {
        annotation_id: annotationId,
        widget_id: widgetId,
        parent_id: null,
        thread_id: null,
        category: 'friction',
        severity: 'high',
        actor_id: reporter.id,
        actor_type: 'user',
        source: 'api',
        created_at: new Date().toISOString(),
      },
      { hubId, aggregateId: annotationId, aggregateVersion: 1 },
    );
    await this.publish(
      'ihf.feedback.candidate.created.v1',
      {
        candidate_id: candidateId,
        title,
        description: 'Users cannot find it',
        category: 'friction',
        severity: 'high',
        source_widget_id: widgetId,
        source_thread_id: null,
        source_annotation_id: annotationId,
        source_proposal_id: null,
        created_by: null,
        created_at: new Date().toISOString(),
      },
      { hubId, aggregateId: candidateId, aggregateVersion: 1 },
    );
    await this.rows(
      `select 1 from notifications.candidates c join notifications.annotations a
       on a.id = c.source_annotation_id where c.id = $1`,
      [candidateId],
      1,
      `candidate ${candidateId}`,
    );
    return candidateId;
  }

  /** Feedback's status change of a candidate. */
  statusChanged(
    hubId: string,
    candidateId: string,
    to: PayloadOf<'ihf.feedback.candidate.status_changed.v1'>['to'],
    version: number,
    options: TestPublishOptions = {},
  ): Promise<EventEnvelope> {
    return this.publish(
      'ihf.feedback.candidate.status_changed.v1',
      {
        candidate_id: candidateId,
        from: 'open',
        to,
        notes: 'Looked at it',
        duplicate_of_id: null,
        requirement_id: null,
        changed_by: null,
        version,
        changed_at: new Date().toISOString(),
      },
      { hubId, aggregateId: candidateId, aggregateVersion: version, ...options },
    );
  }
}
