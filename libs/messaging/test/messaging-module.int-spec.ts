import { randomUUID } from 'node:crypto';
import { Controller, Inject, Injectable, Module, type OnModuleInit } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { jetstreamManager } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { ObservabilityModule, RequestContext } from '@ihf/observability';
import { PersistenceModule, migrateSchema } from '@ihf/persistence';
import {
  EventConsumers,
  MessagingModule,
  NamespacedNatsServer,
  Outbox,
  RelayReconciliation,
  RpcClient,
  RpcUnavailableError,
} from '@ihf/messaging';
import { physicalStreamName, type EventEnvelope } from '@ihf/contracts';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@ihf/testing';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

const LOOKUP = 'ihf.rpc.msgtest.thing.get.v1';

@Injectable()
class ThingHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}
  onModuleInit(): void {
    this.consumers.register(
      {
        durable: 'msgtest__identity',
        service: 'msgtest',
        stream: 'IHF_IDENTITY',
        filterSubject: 'ihf.identity.>',
        maxDeliver: 3,
        ackWaitMs: 5_000,
        backoffMs: [50],
        maxAckPending: 100,
        deliverPolicy: 'all',
      },
      {
        'ihf.identity.user.created.v1': async (e, em) => {
          await (em as unknown as SqlEntityManager).execute(
            `insert into ${SCHEMA}.effects (event_id, correlation_id, note) values (?, ?, ?)`,
            [e.event_id, RequestContext.current()?.correlationId ?? null, e.payload.name],
          );
        },
      },
    );
  }
}

@Controller()
class ThingRpc {
  @MessagePattern(LOOKUP)
  get(@Payload() data: { id: string }): { id: string; correlation_id: string | undefined } {
    return { id: data.id, correlation_id: RequestContext.current()?.correlationId };
  }
}

describe('MessagingModule in a Nest service', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;

  beforeAll(async () => {
    env = await createTestEnvironment();
    const settings = {
      schema: SCHEMA,
      databaseUrl: env.databaseUrl,
      entities: (await import('@ihf/messaging')).MESSAGING_ENTITIES,
      migrations: MessagingFixture.migrations(),
    };
    await migrateSchema(settings);
    @Module({
      imports: [
        ObservabilityModule.forRoot({ service: 'msgtest', logLevel: 'silent' }),
        PersistenceModule.forRoot(settings),
        MessagingModule.forRoot({
          service: 'msgtest',
          schema: SCHEMA,
          natsUrl: env.natsUrl,
          databaseUrl: env.databaseUrl,
          namespace: env.natsNamespace,
          streams: ['IHF_IDENTITY', 'IHF_EVENTS'],
          tails: [
            {
              name: 'clicks',
              table: 'clicks',
              toMessage: (row) => ({
                subject: 'ihf.ingestion.interaction.recorded.v1',
                envelope: {
                  event_id: row.id as string,
                  type: 'ihf.ingestion.interaction.recorded.v1',
                  version: 1,
                  occurred_at: new Date().toISOString(),
                  producer: 'msgtest',
                  correlation_id: row.id as string,
                  causation_id: null,
                  hub_id: null,
                  payload: { widget: row.widget },
                },
              }),
            },
          ],
        }),
      ],
      controllers: [ThingRpc],
      providers: [ThingHandlers],
    })
    class AppModule {}
    app = await NestFactory.create<NestFastifyApplication>(AppModule, new FastifyAdapter(), {
      logger: false,
    });
    app.connectMicroservice({
      strategy: new NamespacedNatsServer({
        natsUrl: env.natsUrl,
        service: 'msgtest',
        namespace: env.natsNamespace,
      }),
    });
    app.enableShutdownHooks();
    await app.startAllMicroservices();
    await app.init();
  });
  afterAll(async () => {
    await app?.close();
    await env.teardown();
  });

  async function effects(eventId: string) {
    return (app.get(MikroORM).em.fork() as unknown as SqlEntityManager).execute<
      { note: string; correlation_id: string }[]
    >(`select note, correlation_id from ${SCHEMA}.effects where event_id = ?`, [eventId]);
  }

  it('provisions its streams and consumers, relays the outbox and runs registered handlers', async () => {
    const nc = await connect({ servers: env.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const consumer = await jsm.consumers.info(
        physicalStreamName(env.natsNamespace, 'IHF_IDENTITY'),
        'msgtest__identity',
      );
      expect(consumer.config.filter_subject).toBe(`${env.natsNamespace}.ihf.identity.>`);
      await jsm.streams.info(physicalStreamName(env.natsNamespace, 'IHF_DLQ'));
    } finally {
      await nc.close();
    }
    // The service publishes through its outbox and consumes its own stream here.
    const outbox = app.get(Outbox);
    const envelope = await RequestContext.run({ correlationId: 'corr-module' }, async () => {
      let e: EventEnvelope | undefined;
      await app
        .get(MikroORM)
        .em.fork()
        .transactional((em: EntityManager) => {
          e = outbox.add(em, 'ihf.identity.user.created.v1', userCreated('from-outbox'));
          return Promise.resolve();
        });
      return e!;
    });
    await waitFor(async () => (await effects(envelope.event_id)).length === 1, {
      message: 'the handler effect',
    });
    expect(await effects(envelope.event_id)).toEqual([
      { note: 'from-outbox', correlation_id: 'corr-module' },
    ]);
  });

  it('answers readiness with postgres and nats, and exposes relay and consumer metrics', async () => {
    const ready = await app.inject({ method: 'GET', url: '/health/ready' });
    expect(ready.statusCode).toBe(200);
    expect(Object.keys(ready.json<{ checks: object }>().checks).sort()).toEqual([
      'consumers',
      'nats',
      'postgres',
    ]);
    const metrics = await app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toContain('ihf_outbox_published_total');
    expect(metrics.body).toMatch(/ihf_outbox_oldest_pending_seconds\{[^}]*\} 0/);
    expect(metrics.body).toMatch(/ihf_consumer_deliveries_total\{[^}]*outcome="handled"/);
    // Consumer lag from JetStream (the handled event is no longer pending), backlog, pool, readiness.
    expect(metrics.body).toMatch(
      /ihf_consumer_pending_messages\{[^}]*consumer="msgtest__identity"[^}]*\} 0/,
    );
    expect(metrics.body).toMatch(/ihf_consumer_handle_duration_seconds_count\{[^}]*\} [1-9]/);
    expect(metrics.body).toMatch(/ihf_consumer_event_age_seconds_count\{[^}]*\} [1-9]/);
    expect(metrics.body).toMatch(/ihf_outbox_pending_events\{[^}]*\} 0/);
    expect(metrics.body).toMatch(/ihf_db_pool_connections\{[^}]*state="total"[^}]*\} [1-9]/);
    // Nobody queues for a connection on an idle service (a queue here means the pool is too small).
    expect(metrics.body).toMatch(/ihf_db_pool_connections\{[^}]*state="waiting"[^}]*\} 0\n/);
    expect(metrics.body).toMatch(/ihf_readiness_up\{[^}]*\} 1/);
    expect(metrics.body).toMatch(
      /ihf_table_tail_oldest_pending_seconds\{[^}]*table="clicks"[^}]*\} 0/,
    );
    // The reconciler is there on demand (the outbox; the tail table has no time column).
    const [outboxCheck, ...others] = await app.get(RelayReconciliation).reconcileNow();
    expect(outboxCheck).toMatchObject({ source: 'outbox', republished: 0 });
    expect(others).toEqual([]);
    expect(metrics.body).toMatch(/ihf_table_tail_set_aside_rows\{[^}]*table="clicks"[^}]*\} 0/);
  });

  it('counts requests waiting for a database connection while none is idle', async () => {
    const pool = (await app.get(MikroORM).em.getConnection().getNativeClient()) as {
      options: { max: number };
      connect(): Promise<{ release(): void }>;
      query(sql: string): Promise<unknown>;
    };
    const held = await Promise.all(Array.from({ length: pool.options.max }, () => pool.connect()));
    const queued = pool.query('select 1');
    // The scrape's own backlog queries queue behind the held connections too: release them
    // once the gauge has been read.
    const scrape = app.inject({ method: 'GET', url: '/metrics' });
    await new Promise((resolve) => setTimeout(resolve, 100));
    for (const client of held) client.release();
    await queued;
    const waiting = /ihf_db_pool_connections\{[^}]*state="waiting"[^}]*\} (\d+)/.exec(
      (await scrape).body,
    );
    expect(Number(waiting?.[1])).toBeGreaterThanOrEqual(1);
  });

  it('serves request/reply in its namespace with the caller correlation id, and says when nobody answers', async () => {
    const client = app.get(RpcClient);
    const id = randomUUID();
    const answer = await RequestContext.run({ correlationId: 'corr-rpc' }, () =>
      client.request<{ id: string; correlation_id: string }>(LOOKUP, { id }),
    );
    expect(answer).toEqual({ id, correlation_id: 'corr-rpc' });
    await expect(client.request('ihf.rpc.msgtest.nothing.get.v1', {}, 300)).rejects.toThrow(
      RpcUnavailableError,
    );
    await expect(client.request('not.a.pattern', {})).rejects.toThrow(/Invalid RPC pattern/);
  });

  it('relays a tailed table to its stream', async () => {
    const id = randomUUID();
    await (app.get(MikroORM).em.fork() as unknown as SqlEntityManager).execute(
      `insert into ${SCHEMA}.clicks (id, widget) values (?, 'w1')`,
      [id],
    );
    const nc = await connect({ servers: env.natsUrl });
    try {
      const jsm = await jetstreamManager(nc);
      const stream = physicalStreamName(env.natsNamespace, 'IHF_EVENTS');
      const msg = await waitFor(
        () =>
          jsm.streams
            .getMessage(stream, {
              last_by_subj: `${env.natsNamespace}.ihf.ingestion.interaction.recorded.v1`,
            })
            .catch(() => undefined),
        { message: 'the tailed row in IHF_EVENTS' },
      );
      expect(msg?.header.get('Nats-Msg-Id')).toBe(id);
    } finally {
      await nc.close();
    }
  });
});
