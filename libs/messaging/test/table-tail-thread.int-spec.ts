import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { threadId } from 'node:worker_threads';
import { Client } from 'pg';
import { Migration } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/core';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, physicalStreamName } from '@ihf/contracts';
import { createOrmOptions, migrateSchema } from '@ihf/persistence';
import {
  MESSAGING_ENTITIES,
  TableTailThread,
  connectNats,
  provisionStreams,
  tableTailSql,
  type TailSql,
} from '@ihf/messaging';
import { createTestEnvironment, waitFor, type TestEnvironment } from '@ihf/testing';

// The relay in a worker thread (TableTailThread). The thread runs the built library
// (libs/messaging/dist): `npm run build` first, as CI does.
const SCHEMA = 'tailthread';
const FIXTURE = join(__dirname, 'fixtures/tail-thread-definition.cjs');

class InitTail extends Migration {
  override up(): void {
    this.addSql(
      `create table "${SCHEMA}".events (id uuid primary key, body text not null, written_at timestamptz not null default now())`,
    );
    for (const sql of tableTailSql(SCHEMA, 'events')) this.addSql(sql);
  }
}

const DEFINITION = {
  name: 'events',
  table: 'events',
  toMessage: () => {
    throw new Error('the host never builds messages: the thread does');
  },
  timeColumn: 'written_at',
  thread: { module: FIXTURE, exportName: 'THREAD_TEST_TAIL' },
};

describe('table tail relay in a worker thread', () => {
  let env: TestEnvironment;
  let orm: MikroORM;
  let sql: TailSql;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let db: Client;
  const threads: TableTailThread[] = [];
  const crashFile = join(tmpdir(), `ihf-tail-crash-${randomUUID()}`);

  beforeAll(async () => {
    env = await createTestEnvironment();
    const settings = {
      schema: SCHEMA,
      databaseUrl: env.databaseUrl,
      entities: MESSAGING_ENTITIES,
      migrations: [{ name: 'Migration20261207000000_tailthread', class: InitTail }],
    };
    await migrateSchema(settings);
    orm = await MikroORM.init(createOrmOptions(settings));
    sql = (await orm.em.getConnection().getNativeClient()) as TailSql;
    nc = await connectNats(env.natsUrl, 'tail-thread-test');
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_EVENTS]);
    db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
  });
  afterEach(async () => {
    await Promise.all(threads.splice(0).map((t) => t.stop()));
  });
  afterAll(async () => {
    await db.end();
    await nc.close();
    await orm.close(true);
    await env.teardown();
  });

  function thread(published: number[] = [], logs: string[] = []): TableTailThread {
    const t = new TableTailThread({
      definition: DEFINITION,
      service: 'tailthread',
      schema: SCHEMA,
      sql,
      databaseUrl: env.databaseUrl,
      natsUrl: env.natsUrl,
      namespace: env.natsNamespace,
      pollIntervalMs: 200,
      leaseMs: 2_000,
      restartDelayMs: 100,
      onPublished: (n) => published.push(n),
      logger: {
        debug: () => undefined,
        info: (_o, m) => logs.push(`info ${m}`),
        warn: (_o, m) => logs.push(`warn ${m}`),
        error: (_o, m) => logs.push(`error ${m}`),
      },
    });
    threads.push(t);
    return t;
  }

  async function insert(...bodies: string[]): Promise<string[]> {
    const ids = bodies.map(() => randomUUID());
    await db.query(
      `insert into ${SCHEMA}.events (id, body) select * from unnest($1::uuid[], $2::text[])`,
      [ids, bodies],
    );
    return ids;
  }

  /** Relayed messages by event id: the thread that built each (from the fixture's payload). */
  async function relayed(): Promise<Map<string, number>> {
    const stream = physicalStreamName(env.natsNamespace, 'IHF_EVENTS');
    const info = await jsm.streams.info(stream);
    const out = new Map<string, number>();
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (!m) continue;
      const envelope = m.json<{ event_id: string; payload: { metadata: { thread: number } } }>();
      out.set(envelope.event_id, envelope.payload.metadata.thread);
    }
    return out;
  }

  async function allRelayed(ids: string[]): Promise<boolean> {
    const seen = await relayed();
    return ids.every((id) => seen.has(id));
  }

  it('relays rows from a worker thread, reports leadership and counts, and stops cleanly', async () => {
    const published: number[] = [];
    const t = thread(published);
    await t.start();
    await waitFor(() => t.isLeader, { timeoutMs: 10_000 });
    const ids = await insert('a', 'b', 'c');
    await waitFor(async () => allRelayed(ids), { timeoutMs: 15_000 });
    const byThread = await relayed();
    // Built off the main thread (the fixture stamps the builder's thread id).
    for (const id of ids) expect(byThread.get(id)).not.toBe(threadId);
    expect(byThread.get(ids[0])).toBe(t.threadId);
    await waitFor(() => published.reduce((a, b) => a + b, 0) >= 3, { timeoutMs: 5_000 });
    expect(await t.oldestPendingAgeSeconds()).toBe(0);
    await t.stop();
    expect(t.isLeader).toBe(false);
    expect(t.threadId).toBeUndefined();
  });

  it("continues a row's trace: the message carries the trace of the request that wrote it", async () => {
    const t = thread();
    await t.start();
    await waitFor(() => t.isLeader, { timeoutMs: 10_000 });
    const traceId = randomUUID().replaceAll('-', '');
    const [id] = await insert(`00-${traceId}-00f067aa0ba902b7-01`);
    const stream = physicalStreamName(env.natsNamespace, 'IHF_EVENTS');
    const message = await waitFor(
      async () => {
        const info = await jsm.streams.info(stream);
        for (let seq = info.state.last_seq; seq >= info.state.first_seq; seq--) {
          const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
          if (m?.header.get('Nats-Msg-Id') === id) return m;
        }
        return undefined;
      },
      { timeoutMs: 15_000 },
    );
    // The thread starts no SDK here (no OTEL_* variables): its span is a no-op that passes the
    // request's context on, so the consumer still joins the request's trace.
    expect(message.header.get('traceparent')).toMatch(new RegExp(`^00-${traceId}-`));
  });

  it('hands the lease to a standby when the leading thread stops', async () => {
    const first = thread();
    const second = thread();
    await first.start();
    await waitFor(() => first.isLeader, { timeoutMs: 10_000 });
    await second.start();
    await new Promise((r) => setTimeout(r, 500));
    expect(second.isLeader).toBe(false); // one leader per table
    await first.stop();
    await waitFor(() => second.isLeader, { timeoutMs: 10_000 });
    const ids = await insert('after-handover');
    await waitFor(async () => (await relayed()).get(ids[0]) === second.threadId, {
      timeoutMs: 15_000,
    });
  });

  it('restarts a thread that died, and relays what was written meanwhile', async () => {
    writeFileSync(crashFile, 'crash once');
    const logs: string[] = [];
    const t = thread([], logs);
    await t.start();
    await waitFor(() => t.isLeader, { timeoutMs: 10_000 });
    const first = t.threadId;
    const ids = await insert('before', `crash:${crashFile}`, 'after');
    // The first thread exits while building the batch (nothing published, cursor unmoved);
    // the restarted one relays all three.
    await waitFor(async () => allRelayed(ids), { timeoutMs: 20_000 });
    expect(t.threadId).toBeDefined();
    expect(t.threadId).not.toBe(first);
    expect(logs).toContain('error table tail thread exited; restarting it');
    const byThread = await relayed();
    expect(new Set(ids.map((id) => byThread.get(id)))).toEqual(new Set([t.threadId]));
  });

  it('fails to start, with the reason, when the definition cannot be loaded', async () => {
    const t = new TableTailThread({
      definition: { ...DEFINITION, thread: { module: FIXTURE, exportName: 'NO_SUCH_TAIL' } },
      service: 'tailthread',
      schema: SCHEMA,
      sql,
      databaseUrl: env.databaseUrl,
      natsUrl: env.natsUrl,
      namespace: env.natsNamespace,
    });
    await expect(t.start()).rejects.toThrow(/exited with 1 while starting/);
  });
});
