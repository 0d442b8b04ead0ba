import { randomUUID } from 'node:crypto';
import { Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { jetstream, jetstreamManager } from '@nats-io/jetstream';
import { ObservabilityModule } from '@ihf/observability';
import { PersistenceModule, migrateSchema } from '@ihf/persistence';
import {
  CONSUMERS,
  EVENT_EXAMPLES,
  STREAMS,
  Subjects,
  busPermissions,
  physicalStreamName,
  physicalSubject,
} from '@ihf/contracts';
import {
  EventConsumers,
  MESSAGING_ENTITIES,
  MessagingModule,
  Outbox,
  connectNats,
  credentialEnv,
  natsAuthorizationConfig,
  natsSecurityOptions,
  newCredential,
  provisionStreams,
  type BusCredential,
} from '@ihf/messaging';
import {
  createTestEnvironment,
  startNatsServer,
  waitFor,
  type NatsServerProcess,
  type TestEnvironment,
} from '@ihf/testing';
import { MessagingFixture, SCHEMA } from './messaging-fixture.js';

/**
 * A Nest service (feedback's bus shape: its stream, its consumer of governance's requirement
 * events) running MessagingModule under its generated user on a nats-server of this test's
 * own: the outbox relay, provisioning and the consumer work; a publish its user may not make
 * fails the relay with a clear error and fails readiness.
 */
@Injectable()
class RequirementHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}
  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_governance, {
      [Subjects.Governance.RequirementPromotedV1]: async (e, em) => {
        await (em as unknown as SqlEntityManager).execute(
          `insert into ${SCHEMA}.effects (event_id, note) values (?, 'promoted')`,
          [e.event_id],
        );
      },
    });
  }
}

describe('MessagingModule under its generated bus user', () => {
  let env: TestEnvironment;
  let server: NatsServerProcess;
  let app: NestFastifyApplication;
  const credentials = new Map<string, BusCredential>();
  const security = (user: string) =>
    natsSecurityOptions(user, credentialEnv(credentials.get(user)!));

  beforeAll(async () => {
    env = await createTestEnvironment();
    const ns = env.natsNamespace;
    const permissions = busPermissions(ns);
    for (const p of permissions) credentials.set(p.user, newCredential(p.user, 'nkey'));
    server = await startNatsServer({ config: natsAuthorizationConfig(permissions, credentials) });
    // Governance is up first and owns its stream (feedback may not create it).
    const governance = await connectNats(server.url, 'governance', security('governance'));
    await provisionStreams(await jetstreamManager(governance), ns, [STREAMS.IHF_GOVERNANCE]);
    await governance.close();

    const settings = {
      schema: SCHEMA,
      databaseUrl: env.databaseUrl,
      entities: MESSAGING_ENTITIES,
      migrations: MessagingFixture.migrations(),
    };
    await migrateSchema(settings);
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'feedback', logLevel: 'silent' }),
        PersistenceModule.forRoot(settings),
        MessagingModule.forRoot({
          service: 'feedback',
          schema: SCHEMA,
          natsUrl: server.url,
          security: security('feedback'),
          databaseUrl: env.databaseUrl,
          namespace: ns,
          streams: ['IHF_FEEDBACK'],
        }),
      ],
      providers: [RequirementHandlers],
    })
    class AppModule {}
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
      abortOnError: false,
    });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
    await env?.teardown();
  });

  function sql<T>(query: string, params: unknown[] = []): Promise<T[]> {
    return (app.get(MikroORM).em.fork() as unknown as SqlEntityManager).execute<T[]>(query, params);
  }

  async function addToOutbox(subject: string): Promise<string> {
    let id = '';
    await app
      .get(MikroORM)
      .em.fork()
      .transactional((em: EntityManager) => {
        id = app
          .get(Outbox)
          .add(
            em,
            subject as typeof Subjects.Feedback.CandidateCreatedV1,
            (EVENT_EXAMPLES as Record<string, never>)[subject],
            { hubId: randomUUID() },
          ).event_id;
        return Promise.resolve();
      });
    return id;
  }

  it('relays its outbox, runs its consumer, and is ready', async () => {
    const id = await addToOutbox(Subjects.Feedback.CandidateCreatedV1);
    await waitFor(
      async () =>
        (
          await sql<{ n: string }>(
            `select count(*) as n from ${SCHEMA}.outbox where id = ? and published_at is not null`,
            [id],
          )
        )[0].n === '1',
      { message: 'the outbox row published', timeoutMs: 20_000 },
    );

    const governance = await connectNats(server.url, 'governance', security('governance'));
    try {
      const eventId = randomUUID();
      await jetstream(governance).publish(
        physicalSubject(env.natsNamespace, Subjects.Governance.RequirementPromotedV1),
        JSON.stringify({
          event_id: eventId,
          type: Subjects.Governance.RequirementPromotedV1,
          version: 1,
          occurred_at: new Date().toISOString(),
          producer: 'governance',
          correlation_id: randomUUID(),
          causation_id: null,
          hub_id: randomUUID(),
          aggregate_id: null,
          aggregate_version: null,
          payload: EVENT_EXAMPLES[Subjects.Governance.RequirementPromotedV1],
        }),
        { msgID: eventId },
      );
      await waitFor(
        async () =>
          (await sql(`select 1 from ${SCHEMA}.effects where event_id = ?`, [eventId])).length === 1,
        { message: 'the consumer handled the event', timeoutMs: 20_000 },
      );
    } finally {
      await governance.close();
    }
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
  });

  it('fails the relay with a clear error and fails readiness when its user may not publish an event', async () => {
    // A bug (or a forged row) puts governance's event in feedback's outbox.
    const id = await addToOutbox(Subjects.Governance.RequirementPromotedV1);
    const [row] = await waitFor(
      async () => {
        const rows = await sql<{ last_error: string | null; published_at: Date | null }>(
          `select last_error, published_at from ${SCHEMA}.outbox where id = ?`,
          [id],
        );
        return rows[0]?.last_error ? rows : undefined;
      },
      { message: 'the refusal recorded on the outbox row', timeoutMs: 20_000 },
    );
    expect(row.published_at).toBeNull();
    expect(row.last_error).toMatch(
      /NATS refused publish on '.*ihf\.governance\.requirement\.promoted\.v1' for this service's bus user \(permissions\)/,
    );
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(503);
    expect(ready.json<{ checks: Record<string, { status: string }> }>().checks.nats.status).toBe(
      'down',
    );
    // Nothing reached governance's stream.
    const nc = await connectNats(server.url, 'governance', security('governance'));
    try {
      const info = await (
        await jetstreamManager(nc)
      ).streams.info(physicalStreamName(env.natsNamespace, 'IHF_GOVERNANCE'));
      expect(info.state.messages).toBe(1); // the one governance published itself
    } finally {
      await nc.close();
    }
  });
});

@Injectable()
class ProposalHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}
  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_agents, {
      [Subjects.Agents.ProposalAcceptedV1]: async (e, em) => {
        await (em as unknown as SqlEntityManager).execute(
          `insert into ${SCHEMA}.effects (event_id, note) values (?, 'accepted')`,
          [e.event_id],
        );
      },
    });
  }
}

describe('MessagingModule under its generated bus user, started before the owner of a stream it reads', () => {
  let env: TestEnvironment;
  let server: NatsServerProcess;
  let app: NestFastifyApplication;
  const credentials = new Map<string, BusCredential>();
  const security = (user: string) =>
    natsSecurityOptions(user, credentialEnv(credentials.get(user)!));

  beforeAll(async () => {
    env = await createTestEnvironment();
    const permissions = busPermissions(env.natsNamespace);
    for (const p of permissions) credentials.set(p.user, newCredential(p.user, 'password'));
    server = await startNatsServer({ config: natsAuthorizationConfig(permissions, credentials) });
    const settings = {
      schema: SCHEMA,
      databaseUrl: env.databaseUrl,
      entities: MESSAGING_ENTITIES,
      migrations: MessagingFixture.migrations(),
    };
    await migrateSchema(settings);
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'feedback', logLevel: 'silent' }),
        PersistenceModule.forRoot(settings),
        MessagingModule.forRoot({
          service: 'feedback',
          schema: SCHEMA,
          natsUrl: server.url,
          security: security('feedback'),
          databaseUrl: env.databaseUrl,
          namespace: env.natsNamespace,
          streams: ['IHF_FEEDBACK'],
        }),
      ],
      providers: [ProposalHandlers],
    })
    class WaitingAppModule {}
    app = await NestFactory.create<NestFastifyApplication>(WaitingAppModule, new FastifyAdapter(), {
      logger: false,
      abortOnError: false,
    });
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await server?.stop();
    await env?.teardown();
  });

  it('starts without its consumer, not ready, and consumes once the owner has created the stream', async () => {
    // IHF_AGENTS does not exist and feedback may not create it: started, but not ready.
    const waiting = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(waiting.statusCode).toBe(503);
    expect(
      waiting.json<{ checks: Record<string, { status: string }> }>().checks.consumers.status,
    ).toBe('down');

    const agents = await connectNats(server.url, 'agent-proposals', security('agent-proposals'));
    try {
      await provisionStreams(await jetstreamManager(agents), env.natsNamespace, [
        STREAMS.IHF_AGENTS,
      ]);
      const eventId = randomUUID();
      await jetstream(agents).publish(
        physicalSubject(env.natsNamespace, Subjects.Agents.ProposalAcceptedV1),
        JSON.stringify({
          event_id: eventId,
          type: Subjects.Agents.ProposalAcceptedV1,
          version: 1,
          occurred_at: new Date().toISOString(),
          producer: 'agent-proposals',
          correlation_id: randomUUID(),
          causation_id: null,
          hub_id: EVENT_EXAMPLES[Subjects.Agents.ProposalAcceptedV1].hub_id,
          aggregate_id: null,
          aggregate_version: null,
          payload: EVENT_EXAMPLES[Subjects.Agents.ProposalAcceptedV1],
        }),
        { msgID: eventId },
      );
      await waitFor(
        async () =>
          (
            await (app.get(MikroORM).em.fork() as unknown as SqlEntityManager).execute(
              `select 1 from ${SCHEMA}.effects where event_id = ?`,
              [eventId],
            )
          ).length === 1,
        { message: 'the waiting consumer handled the event', timeoutMs: 30_000 },
      );
    } finally {
      await agents.close();
    }
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
  });
});
