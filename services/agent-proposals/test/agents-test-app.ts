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
import { agentsAppOptions } from '../src/bootstrap.js';
import { AgentsConfig } from '../src/config/agents.config.js';
import { migrateAgents } from '../src/database/migrate-agents.js';

/** A simple response view for assertions. */
export interface Answer<T = Record<string, unknown>> {
  readonly status: number;
  readonly body: T;
}

/** A principal for tokens: a person, or an agent client. */
export interface TestPrincipal {
  readonly id: string;
  readonly roles: string[];
  readonly hubs: string[];
  readonly kind?: 'user' | 'agent';
}

/**
 * The agent-proposals service on its own database and bus namespace, migrated as on start,
 * with a stand-in JWKS issuer and a NATS connection that publishes the events it consumes
 * (as feedback, ingestion and governance would).
 */
export class AgentsTestApp {
  app!: NestFastifyApplication;
  env!: TestEnvironment;
  issuer!: TestTokenIssuer;
  bus!: TestBus;

  static async start(extraVars: Record<string, string> = {}): Promise<AgentsTestApp> {
    const t = new AgentsTestApp();
    t.env = await createTestEnvironment();
    t.issuer = await TestTokenIssuer.start();
    const vars: Record<string, string> = {
      LOG_LEVEL: process.env.AGENTS_LOG ?? 'silent',
      DATABASE_URL: t.env.databaseUrl,
      NATS_URL: t.env.natsUrl,
      IHF_NATS_NAMESPACE: t.env.natsNamespace,
      IHF_JWKS_URL: t.issuer.jwksUrl,
      ...extraVars,
    };
    const config = loadConfig(AgentsConfig, vars);
    await migrateAgents(t.env.databaseUrl);
    // Every answer is checked against the OpenAPI document: a drift fails the test that saw it.
    t.app = await createServiceApp(
      withResponseValidation({ ...agentsAppOptions(config, vars), config: AgentsConfig }),
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

  token(p: TestPrincipal): string {
    return this.issuer.sign({ sub: p.id, roles: p.roles, hubs: p.hubs, kind: p.kind ?? 'user' });
  }

  async request<T = Record<string, unknown>>(
    method: 'GET' | 'POST',
    url: string,
    options: { body?: unknown; as?: TestPrincipal; headers?: Record<string, string> } = {},
  ): Promise<Answer<T> & { contentType: string }> {
    const res = await this.app.inject({
      method,
      url,
      headers: {
        ...(options.as ? { authorization: `Bearer ${this.token(options.as)}` } : {}),
        ...options.headers,
      },
      ...(options.body === undefined ? {} : { payload: options.body as object }),
    });
    const contentType = String(res.headers['content-type'] ?? '');
    const body = (contentType.includes('json') && res.body ? res.json<T>() : res.body) as T;
    return { status: res.statusCode, body, contentType };
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
    options: TestPublishOptions = {},
  ): Promise<EventEnvelope<PayloadOf<S>, S>> {
    return this.bus.publish(subject, payload, options);
  }

  /** Waits until the IHF_AGENTS stream holds an event of `subject` matching `predicate`. */
  waitForEvent(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean,
  ): Promise<EventEnvelope<Record<string, unknown>>> {
    return this.bus.waitForEvent('IHF_AGENTS', subject, predicate);
  }

  /** Envelopes on the IHF_AGENTS stream with `subject` matching `predicate`. */
  agentEvents(
    subject: string,
    predicate: (envelope: EventEnvelope<Record<string, unknown>>) => boolean = () => true,
  ): Promise<EventEnvelope<Record<string, unknown>>[]> {
    return this.bus.events('IHF_AGENTS', subject, predicate);
  }

  /** Proposals of `hubId` (and `kind`) stored so far, oldest first. */
  proposals(hubId: string, kind?: string): Promise<Record<string, unknown>[]> {
    return this.sql(
      `select * from agents.agent_proposals where hub_id = $1 and ($2::text is null or proposal_type = $2)
        order by created_at, id`,
      [hubId, kind ?? null],
    );
  }

  /** Waits for a proposal of `hubId` and `kind` matching `predicate`. */
  waitForProposal(
    hubId: string,
    kind: string,
    predicate: (row: Record<string, unknown>) => boolean = () => true,
    timeoutMs = 30_000,
  ): Promise<Record<string, unknown>> {
    return waitFor(async () => (await this.proposals(hubId, kind)).find(predicate), {
      timeoutMs,
      message: `a ${kind} proposal in hub ${hubId}`,
    });
  }

  /** Publishes feedback's candidate.created.v1 for a new candidate; returns its id. */
  async candidate(
    hubId: string,
    title: string,
    description: string,
    widgetId: string = randomUUID(),
    createdAt: Date = new Date(),
  ): Promise<string> {
    const candidateId = randomUUID();
    await this.publish(
      'ihf.feedback.candidate.created.v1',
      {
        candidate_id: candidateId,
        title,
        description,
        category: 'friction',
        severity: 'high',
        source_widget_id: widgetId,
        source_thread_id: null,
        source_annotation_id: null,
        source_proposal_id: null,
        created_by: null,
        created_at: createdAt.toISOString(),
      },
      { hubId, aggregateId: candidateId, aggregateVersion: 1 },
    );
    return candidateId;
  }
}

/** A person with a fresh id. */
export function person(roles: string[], hubs: string[]): TestPrincipal {
  return { id: randomUUID(), roles, hubs, kind: 'user' };
}

/** An agent client with a fresh id, as identity's client credentials grant issues it. */
export function agentClient(hubs: string[]): TestPrincipal {
  return { id: randomUUID(), roles: ['agent'], hubs, kind: 'agent' };
}
