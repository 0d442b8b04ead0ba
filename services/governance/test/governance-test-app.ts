import { randomUUID } from 'node:crypto';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import {
  type CandidateGetResponseV1,
  type CandidateSnapshotV1,
  type CandidateStatus,
  type EventEnvelope,
  type PayloadOf,
  RpcPatterns,
  type Subject,
  type WidgetGetResponseV1,
  type WidgetSnapshotV1,
} from '@ihf/contracts';
import { createServiceApp, loadConfig } from '@ihf/platform';
import {
  createTestEnvironment,
  TestBus,
  type TestEnvironment,
  type TestPublishOptions,
  waitFor,
  withResponseValidation,
} from '@ihf/testing';
import { governanceAppOptions } from '../src/bootstrap.js';
import { GovernanceConfig } from '../src/config/governance.config.js';
import { migrateGovernance } from '../src/database/migrate-governance.js';

/** The key webhook secrets are encrypted with in tests. */
export const TEST_SECRET_KEY = Buffer.alloc(32, 42).toString('base64');

/** A simple response view for assertions. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** Options of one published event. */
export type PublishOptions = TestPublishOptions;

/** A principal for tokens. */
export interface TestUser {
  readonly id: string;
  readonly roles: string[];
  readonly hubs: string[];
}

/**
 * The governance service on its own database and bus namespace, migrated as on start, with a
 * stand-in JWKS issuer, a NATS connection to publish the events it consumes, and an optional
 * stand-in for ingestion's widget look-up.
 */
export class GovernanceTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  /** Stands in for ingestion and identity on the bus. */
  bus!: TestBus;
  private stopResponder?: () => void;
  private stopCandidates?: () => void;
  private restartApp?: () => Promise<NestFastifyApplication>;

  static async start(): Promise<GovernanceTestApp> {
    const t = new GovernanceTestApp();
    t.env = await createTestEnvironment();
    t.issuer = await TestTokenIssuer.start();
    const vars: Record<string, string> = {
      LOG_LEVEL: process.env.GOV_LOG ?? 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_JWKS_URL: t.issuer.jwksUrl,
      GOVERNANCE_LOOKUP_TIMEOUT_MS: '1000',
      GOVERNANCE_SECRET_KEY: TEST_SECRET_KEY,
    };
    const config = loadConfig(GovernanceConfig, vars);
    await migrateGovernance(t.env.databaseUrl);
    // Every answer is checked against the OpenAPI document: a drift fails the test that saw it.
    t.restartApp = () =>
      createServiceApp(
        withResponseValidation({ ...governanceAppOptions(config, vars), config: GovernanceConfig }),
      );
    t.app = await t.restartApp();
    t.bus = await TestBus.connect(t.env.natsUrl, t.env.natsNamespace);
    return t;
  }

  async close(): Promise<void> {
    this.stopResponder?.();
    this.stopCandidates?.();
    await this.app?.close();
    await this.bus?.close();
    await this.issuer?.close();
    await this.env?.teardown();
  }

  /** Stops the service (draining its consumers) and starts it again on the same database and bus. */
  async restart(): Promise<void> {
    await this.app.close();
    this.app = await this.restartApp!();
  }

  token(user: TestUser): string {
    return this.issuer.sign({ sub: user.id, roles: user.roles, hubs: user.hubs });
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE',
    url: string,
    options: { body?: unknown; user?: TestUser; headers?: Record<string, string> } = {},
  ): Promise<Answer<T> & { contentType: string }> {
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
    return { status: res.statusCode, body, contentType };
  }

  /**
   * Publishes feedback's events of a candidate of `hubId` that reached `status` (created at
   * version 1, then one status change at version 2) and waits until the read model has it.
   */
  async candidate(
    hubId: string,
    status: CandidateStatus,
    extra: { widgetId?: string; title?: string } = {},
  ): Promise<string> {
    const candidateId = randomUUID();
    const widgetId = extra.widgetId ?? randomUUID();
    await this.publish(
      'ihf.feedback.candidate.created.v1',
      {
        candidate_id: candidateId,
        title: extra.title ?? 'Make the checkout button visible',
        description: 'Users cannot find it',
        category: 'friction',
        severity: 'high',
        source_widget_id: widgetId,
        source_thread_id: null,
        source_annotation_id: randomUUID(),
        source_proposal_id: null,
        created_by: null,
        created_at: new Date().toISOString(),
      },
      { hubId, aggregateId: candidateId, aggregateVersion: 1 },
    );
    let version = 1;
    if (status !== 'open') {
      version = 2;
      await this.publish(
        'ihf.feedback.candidate.status_changed.v1',
        {
          candidate_id: candidateId,
          from: 'open',
          to: status,
          notes: null,
          duplicate_of_id: status === 'duplicate' ? randomUUID() : null,
          requirement_id: status === 'promoted' ? randomUUID() : null,
          changed_by: null,
          version,
          changed_at: new Date().toISOString(),
        },
        { hubId, aggregateId: candidateId, aggregateVersion: version },
      );
    }
    await waitFor(
      async () =>
        (
          await this.sql(
            'select 1 from governance.candidates where id = $1 and version = $2 and title is not null',
            [candidateId, version],
          )
        ).length > 0 || undefined,
      { timeoutMs: 10_000, message: `candidate ${candidateId} in the read model` },
    );
    return candidateId;
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
  publish<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    options: PublishOptions = {},
  ): Promise<EventEnvelope<PayloadOf<S>, S>> {
    return this.bus.publish(subject, payload, options);
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
        (await this.sql('select 1 from governance.widgets where id = $1', [widgetId])).length > 0 ||
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
          await this.sql('select 1 from governance.principals where user_id = $1 and as_of = $2', [
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
    this.stopResponder?.();
    this.stopResponder = undefined;
    if (!widgets) return;
    this.stopResponder = this.bus.respond<{ widget_id: string }, WidgetGetResponseV1>(
      RpcPatterns.Ingestion.WidgetGetV1,
      (data) => {
        const widget = widgets.get(data.widget_id) ?? null;
        return { found: widget !== null, widget };
      },
    );
  }

  /**
   * Answers `ihf.rpc.feedback.candidate.get.v1` like feedback would, from `candidates`
   * (null: stop answering).
   */
  serveCandidateLookups(candidates: Map<string, CandidateSnapshotV1> | null): void {
    this.stopCandidates?.();
    this.stopCandidates = undefined;
    if (!candidates) return;
    this.stopCandidates = this.bus.respond<{ candidate_id: string }, CandidateGetResponseV1>(
      RpcPatterns.Feedback.CandidateGetV1,
      (data) => {
        const candidate = candidates.get(data.candidate_id) ?? null;
        return { found: candidate !== null, candidate };
      },
    );
  }

  /** Envelopes on the (namespaced) IHF_GOVERNANCE stream with `subject` that match `predicate`. */
  governanceEvents(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean = () => true,
  ): Promise<EventEnvelope<Record<string, unknown>>[]> {
    return this.bus.events('IHF_GOVERNANCE', subject, predicate);
  }

  /** Waits until the IHF_GOVERNANCE stream holds an event of `subject` matching `predicate`. */
  waitForEvent(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean,
  ): Promise<EventEnvelope<Record<string, unknown>>> {
    return this.bus.waitForEvent('IHF_GOVERNANCE', subject, predicate);
  }

  /** Dead letters of a consumer (namespaced IHF_DLQ), with their reasons. */
  deadLetters(durable: string): Promise<string[]> {
    return this.bus.deadLetters(durable);
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

/** A candidate as feedback's look-up answers it. */
export function candidateSnapshot(
  candidateId: string,
  hubId: string,
  status: CandidateStatus,
  version: number,
): CandidateSnapshotV1 {
  return {
    candidate_id: candidateId,
    hub_id: hubId,
    title: 'Looked up at feedback',
    description: 'From the look-up',
    status,
    version,
    source_widget_id: randomUUID(),
    source_thread_id: null,
    source_annotation_id: randomUUID(),
    source_proposal_id: null,
    requirement_id: null,
    created_at: new Date().toISOString(),
  };
}
