import { randomUUID } from 'node:crypto';
import { MikroORM } from '@mikro-orm/core';
import { Migration } from '@mikro-orm/migrations';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type JetStreamManager,
} from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import {
  STREAMS,
  physicalStreamName,
  type ConsumerDefinition,
  type PayloadOf,
} from '@ihf/contracts';
import { createOrmOptions, migrateSchema, type ServiceOrmSettings } from '@ihf/persistence';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import {
  MESSAGING_ENTITIES,
  connectNats,
  consumerFailuresSql,
  messagingTablesSql,
  provisionStreams,
  tableTailSql,
} from '@ihf/messaging';

export const SCHEMA = 'msgtest';

class InitMessagingTest extends Migration {
  override up(): void {
    for (const sql of messagingTablesSql(SCHEMA)) this.addSql(sql);
    for (const sql of consumerFailuresSql(SCHEMA)) this.addSql(sql);
    this.addSql(
      `create table "${SCHEMA}".effects (event_id uuid not null, correlation_id text, note text)`,
    );
    this.addSql(`create table "${SCHEMA}".clicks (id uuid primary key, widget text not null)`);
    for (const sql of tableTailSql(SCHEMA, 'clicks')) this.addSql(sql);
  }
}

/** A service-shaped world for the messaging tests: own database, schema, bus namespace. */
export class MessagingFixture {
  env!: TestEnvironment;
  orm!: MikroORM;
  nc!: NatsConnection;
  js!: JetStreamClient;
  jsm!: JetStreamManager;
  settings!: ServiceOrmSettings;

  static async create(): Promise<MessagingFixture> {
    const f = new MessagingFixture();
    f.env = await createTestEnvironment();
    f.settings = {
      schema: SCHEMA,
      databaseUrl: f.env.databaseUrl,
      entities: MESSAGING_ENTITIES,
      migrations: MessagingFixture.migrations(),
    };
    await migrateSchema(f.settings);
    f.orm = await MikroORM.init(createOrmOptions(f.settings));
    f.nc = await connectNats(f.env.natsUrl, 'messaging-test');
    f.js = jetstream(f.nc);
    f.jsm = await jetstreamManager(f.nc);
    await provisionStreams(f.jsm, f.env.natsNamespace, [STREAMS.IHF_IDENTITY, STREAMS.IHF_DLQ]);
    return f;
  }

  static migrations() {
    return [{ name: 'Migration20261127000000_messaging', class: InitMessagingTest }];
  }

  get namespace(): string {
    return this.env.natsNamespace;
  }

  async close(): Promise<void> {
    await this.nc.close();
    await this.orm.close(true);
    await this.env.teardown();
  }

  /** SQL on the test database. */
  async sql<T = Record<string, unknown>>(query: string, params: unknown[] = []): Promise<T[]> {
    return (this.orm.em.fork() as unknown as SqlEntityManager).execute<T[]>(query, params);
  }

  async streamMessages(stream: keyof typeof STREAMS): Promise<number> {
    const info = await this.jsm.streams.info(physicalStreamName(this.namespace, stream));
    return info.state.messages;
  }

  consumer(durable: string, overrides: Partial<ConsumerDefinition> = {}): ConsumerDefinition {
    return {
      durable,
      service: 'msgtest',
      stream: 'IHF_IDENTITY',
      filterSubject: 'ihf.identity.>',
      maxDeliver: 3,
      ackWaitMs: 5_000,
      backoffMs: [50, 100],
      maxAckPending: 100,
      deliverPolicy: 'all',
      ...overrides,
    };
  }
}

export function userCreated(name = 'Ada'): PayloadOf<'ihf.identity.user.created.v1'> {
  return {
    user_id: randomUUID(),
    kind: 'user',
    name,
    roles: ['viewer'],
    created_at: new Date().toISOString(),
  };
}
