import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type StoredMsg,
} from '@nats-io/jetstream';
import { type NatsConnection, type Subscription } from '@nats-io/nats-core';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import {
  type EventEnvelope,
  type PayloadOf,
  physicalStreamName,
  physicalSubject,
  RpcPatterns,
  type Subject,
  type WidgetGetResponseV1,
  type WidgetSnapshotV1,
} from '@ihf/contracts';
import { createServiceApp, loadConfig } from '@ihf/platform';
import { createTestEnvironment, type TestEnvironment, waitFor } from '@ihf/testing';
import { feedbackAppOptions } from '../src/bootstrap.js';
import { FeedbackConfig } from '../src/config/feedback.config.js';
import { migrateFeedback } from '../src/database/migrate-feedback.js';

/** A simple response view for assertions. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** Options of one published event. */
export interface PublishOptions {
  readonly hubId?: string | null;
  readonly eventId?: string;
  /** JetStream message id; a new one publishes a redelivery the broker will not dedupe. */
  readonly msgId?: string;
  readonly occurredAt?: Date;
  readonly aggregateId?: string;
  readonly aggregateVersion?: number;
  readonly producer?: string;
}

/** A principal for tokens. */
export interface TestUser {
  readonly id: string;
  readonly roles: string[];
  readonly hubs: string[];
}

/**
 * The feedback service on its own database and bus namespace, migrated as on start, with a
 * stand-in JWKS issuer, a NATS connection to publish the events it consumes, and an optional
 * stand-in for ingestion's widget look-up.
 */
export class FeedbackTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  nc!: NatsConnection;
  js!: JetStreamClient;
  /** What the stand-in ingestion answers to widget look-ups (undefined: nobody answers). */
  private rpcResponder?: Subscription;

  static async start(): Promise<FeedbackTestApp> {
    const t = new FeedbackTestApp();
    t.env = await createTestEnvironment();
    t.issuer = await TestTokenIssuer.start();
    const vars: Record<string, string> = {
      LOG_LEVEL: 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_JWKS_URL: t.issuer.jwksUrl,
      FEEDBACK_WIDGET_LOOKUP_TIMEOUT_MS: '1000',
    };
    const config = loadConfig(FeedbackConfig, vars);
    await migrateFeedback(t.env.databaseUrl);
    t.app = await createServiceApp({ ...feedbackAppOptions(config, vars), config: FeedbackConfig });
    t.nc = await connect({ servers: t.env.natsUrl.split(','), name: 'feedback-test' });
    t.js = jetstream(t.nc);
    return t;
  }

  async close(): Promise<void> {
    this.rpcResponder?.unsubscribe();
    await this.app?.close();
    await this.nc?.close();
    await this.issuer?.close();
    await this.env?.teardown();
  }

  token(user: TestUser): string {
    return this.issuer.sign({ sub: user.id, roles: user.roles, hubs: user.hubs });
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; user?: TestUser } = {},
  ): Promise<Answer<T>> {
    const res = await this.app.inject({
      method,
      url,
      headers: options.user ? { authorization: `Bearer ${this.token(options.user)}` } : {},
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const json = String(res.headers['content-type'] ?? '').includes('json');
    const body = (json && res.body ? res.json<T>() : res.body) as T;
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

  /** Publishes an event as its producer's relay would (namespaced, with Nats-Msg-Id). */
  async publish<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<PayloadOf<S>, S>> {
    const envelope: EventEnvelope<PayloadOf<S>, S> = {
      event_id: options.eventId ?? randomUUID(),
      type: subject,
      version: 1,
      occurred_at: (options.occurredAt ?? new Date()).toISOString(),
      producer: options.producer ?? subject.split('.')[1],
      correlation_id: randomUUID(),
      causation_id: null,
      hub_id: options.hubId ?? null,
      aggregate_id: options.aggregateId ?? null,
      aggregate_version: options.aggregateVersion ?? null,
      payload,
    };
    await this.js.publish(
      physicalSubject(this.env.natsNamespace, subject),
      JSON.stringify(envelope),
      {
        msgID: options.msgId ?? envelope.event_id,
      },
    );
    return envelope;
  }

  /** Publishes `ihf.ingestion.widget.registered.v1` and waits until the read model has it. */
  async registerWidget(hubId: string, name = 'Checkout button'): Promise<string> {
    const widgetId = randomUUID();
    await this.publish(
      'ihf.ingestion.widget.registered.v1',
      { ...widgetSnapshot(widgetId, hubId, 1, name), created_at: new Date().toISOString() },
      { hubId, aggregateId: widgetId, aggregateVersion: 1 },
    );
    await waitFor(
      async () =>
        (await this.sql('select 1 from feedback.widgets where id = $1', [widgetId])).length > 0 ||
        undefined,
      { timeoutMs: 10_000, message: `widget ${widgetId} in the read model` },
    );
    return widgetId;
  }

  /** Publishes identity's membership.changed for `user` and waits until the read model has it. */
  async announceUser(user: TestUser): Promise<void> {
    const occurredAt = new Date();
    await this.publish(
      'ihf.identity.membership.changed.v1',
      {
        user_id: user.id,
        hub_ids: user.hubs,
        roles: user.roles as PayloadOf<'ihf.identity.membership.changed.v1'>['roles'],
      },
      { occurredAt },
    );
    await waitFor(
      async () =>
        (
          await this.sql('select 1 from feedback.principals where user_id = $1 and as_of = $2', [
            user.id,
            occurredAt,
          ])
        ).length > 0 || undefined,
      { timeoutMs: 10_000, message: `principal ${user.id}` },
    );
  }

  /**
   * Answers `ihf.rpc.ingestion.widget.get.v1` like ingestion's Nest NATS server would, from
   * `widgets` (null: stop answering).
   */
  serveWidgetLookups(widgets: Map<string, WidgetSnapshotV1> | null): void {
    this.rpcResponder?.unsubscribe();
    this.rpcResponder = undefined;
    if (!widgets) return;
    this.rpcResponder = this.nc.subscribe(
      physicalSubject(this.env.natsNamespace, RpcPatterns.Ingestion.WidgetGetV1),
      {
        callback: (_err, msg) => {
          const packet = msg.json<{ id: string; data: { widget_id: string } }>();
          const widget = widgets.get(packet.data.widget_id) ?? null;
          const response: WidgetGetResponseV1 = { found: widget !== null, widget };
          msg.respond(JSON.stringify({ id: packet.id, response, isDisposed: true }));
        },
      },
    );
  }

  /** Envelopes on the (namespaced) IHF_FEEDBACK stream with `subject` that match `predicate`. */
  async feedbackEvents(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean = () => true,
  ): Promise<EventEnvelope<Record<string, unknown>>[]> {
    const jsm = await jetstreamManager(this.nc);
    const stream = physicalStreamName(this.env.natsNamespace, 'IHF_FEEDBACK');
    const physical = physicalSubject(this.env.natsNamespace, subject);
    const info = await jsm.streams.info(stream);
    const found: EventEnvelope<Record<string, unknown>>[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      let msg: StoredMsg | null;
      try {
        msg = await jsm.streams.getMessage(stream, { seq });
      } catch {
        continue;
      }
      if (!msg || msg.subject !== physical) continue;
      const envelope = msg.json<EventEnvelope<Record<string, unknown>>>();
      if (predicate(envelope)) found.push(envelope);
    }
    return found;
  }

  /** Waits until the IHF_FEEDBACK stream holds an event of `subject` matching `predicate`. */
  async waitForEvent(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean,
  ): Promise<EventEnvelope<Record<string, unknown>>> {
    return waitFor(async () => (await this.feedbackEvents(subject, predicate))[0], {
      timeoutMs: 10_000,
      message: `${subject} on IHF_FEEDBACK`,
    });
  }

  /** Dead letters of a consumer (namespaced IHF_DLQ), with their reasons. */
  async deadLetters(durable: string): Promise<string[]> {
    const jsm = await jetstreamManager(this.nc);
    const stream = physicalStreamName(this.env.natsNamespace, 'IHF_DLQ');
    const physical = physicalSubject(this.env.natsNamespace, `ihf.dlq.${durable}`);
    let info;
    try {
      info = await jsm.streams.info(stream);
    } catch {
      return [];
    }
    const reasons: string[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (msg?.subject === physical) reasons.push(msg.header?.get('Ihf-Dead-Letter-Reason') ?? '');
    }
    return reasons;
  }
}

/** A widget definition as ingestion's events and look-up carry it. */
export function widgetSnapshot(
  widgetId: string,
  hubId: string,
  version: number,
  name = 'Checkout button',
  status: WidgetSnapshotV1['status'] = 'active',
): WidgetSnapshotV1 {
  return {
    widget_id: widgetId,
    hub_id: hubId,
    name,
    widget_type: 'button',
    capability_ref: null,
    view_context: 'checkout',
    policy_scope: 'internal',
    status,
    adapter_spec_id: null,
    version,
  };
}

/** A user with a fresh id. */
export function user(roles: string[], hubs: string[]): TestUser {
  return { id: randomUUID(), roles, hubs };
}
