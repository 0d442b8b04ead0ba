import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Migration } from '@mikro-orm/migrations';
import { MikroORM } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, physicalStreamName, type EventEnvelope } from '@ihf/contracts';
import { createOrmOptions, migrateSchema } from '@ihf/persistence';
import {
  MESSAGING_ENTITIES,
  StreamReconciler,
  TableTailRelay,
  connectNats,
  tailReconcileSource,
  provisionStreams,
  tableTailSql,
  type TailedRow,
  type TailSql,
} from '@ihf/messaging';
import { TcpProxy, createTestEnvironment, waitFor, type TestEnvironment } from '@ihf/testing';

const SCHEMA = 'tailtest';
const SUBJECT = 'ihf.ingestion.interaction.recorded.v1';

class InitTail extends Migration {
  override up(): void {
    this.addSql(
      `create table "${SCHEMA}".events (id uuid primary key, body text not null, written_at timestamptz not null default now())`,
    );
    this.addSql(`create table "${SCHEMA}".other (id int)`);
    for (const sql of tableTailSql(SCHEMA, 'events')) this.addSql(sql);
  }
}

function toMessage(row: TailedRow): { subject: string; envelope: EventEnvelope } {
  if (row.body === 'poison') throw new Error('cannot describe this row');
  return {
    subject: SUBJECT,
    envelope: {
      event_id: row.id as string,
      type: SUBJECT,
      version: 1,
      occurred_at: new Date().toISOString(),
      producer: 'tailtest',
      correlation_id: row.id as string,
      causation_id: null,
      hub_id: null,
      payload: { body: row.body },
    },
  };
}

describe('table tail relay (a table as its own outbox)', () => {
  let env: TestEnvironment;
  let orm: MikroORM;
  let pool: TailSql;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const relays: TableTailRelay[] = [];
  const clients: Client[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment();
    const settings = {
      schema: SCHEMA,
      databaseUrl: env.databaseUrl,
      entities: MESSAGING_ENTITIES,
      migrations: [{ name: 'Migration20261127000000_tail', class: InitTail }],
    };
    await migrateSchema(settings);
    orm = await MikroORM.init(createOrmOptions(settings));
    pool = (await orm.em.getConnection().getNativeClient()) as TailSql;
    nc = await connectNats(env.natsUrl, 'tail-test');
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_EVENTS]);
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await Promise.all(clients.splice(0).map((c) => c.end().catch(() => undefined)));
  });
  afterAll(async () => {
    await nc.close();
    await orm.close(true);
    await env.teardown();
  });

  function relay(
    overrides: Partial<ConstructorParameters<typeof TableTailRelay>[0]> = {},
  ): TableTailRelay {
    const r = new TableTailRelay({
      name: 'events',
      table: 'events',
      toMessage,
      schema: SCHEMA,
      sql: pool,
      databaseUrl: env.databaseUrl,
      nc,
      namespace: env.natsNamespace,
      pollIntervalMs: 200,
      ...overrides,
    });
    relays.push(r);
    return r;
  }

  async function session(): Promise<Client> {
    const c = new Client({ connectionString: env.databaseUrl });
    await c.connect();
    clients.push(c);
    return c;
  }

  async function streamIds(): Promise<string[]> {
    const stream = physicalStreamName(env.natsNamespace, 'IHF_EVENTS');
    const info = await jsm.streams.info(stream);
    const ids: string[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      const m = await jsm.streams.getMessage(stream, { seq }).catch(() => null);
      if (m) ids.push(m.header.get('Nats-Msg-Id'));
    }
    return ids;
  }

  async function purge(): Promise<void> {
    await jsm.streams.purge(physicalStreamName(env.natsNamespace, 'IHF_EVENTS'));
  }

  it('never skips a row that commits after a row with a higher sequence', async () => {
    await purge();
    const early = await session(); // takes its transaction id first
    const late = await session();
    await early.query('begin');
    await early.query(`insert into ${SCHEMA}.other values (1)`); // xid assigned now
    await late.query('begin');
    const lowSeq = randomUUID();
    const highSeq = randomUUID();
    await late.query(
      `insert into ${SCHEMA}.events (id, body) values ($1, 'low sequence, commits last')`,
      [lowSeq],
    );
    await early.query(
      `insert into ${SCHEMA}.events (id, body) values ($1, 'high sequence, commits first')`,
      [highSeq],
    );
    await early.query('commit');

    const r = relay();
    await r.start();
    await waitFor(async () => (await streamIds()).includes(highSeq), {
      message: 'the first committed row',
    });
    // A "sequence greater than the last seen" cursor would now be past lowSeq's row.
    await late.query('commit');
    await waitFor(async () => (await streamIds()).includes(lowSeq), {
      message: 'the late-committing row',
    });
    expect((await streamIds()).sort()).toEqual([lowSeq, highSeq].sort());
  });

  it('publishes every row exactly once under concurrent writers with transactions of random length', async () => {
    await purge();
    let publishes = 0; // counted before JetStream's de-duplication could hide a re-publish
    const r = relay({ batchSize: 37, onPublished: (n) => (publishes += n) });
    await r.start();
    const writers = await Promise.all(Array.from({ length: 8 }, () => session()));
    const written: string[] = [];
    await Promise.all(
      writers.map(async (c) => {
        for (let t = 0; t < 10; t++) {
          await c.query('begin');
          const ids = Array.from({ length: 1 + Math.floor(Math.random() * 8) }, () => randomUUID());
          for (const id of ids) {
            await c.query(`insert into ${SCHEMA}.events (id, body) values ($1, 'x')`, [id]);
            if (Math.random() < 0.3)
              await new Promise((res) => setTimeout(res, Math.random() * 15));
          }
          if (Math.random() < 0.1) {
            await c.query('rollback'); // aborted rows must never be published
          } else {
            await c.query('commit');
            written.push(...ids);
          }
        }
      }),
    );
    await waitFor(async () => (await streamIds()).length >= written.length, {
      timeoutMs: 30_000,
      message: `${written.length} rows in the stream`,
    });
    const ids = await streamIds();
    expect(ids.length).toBe(written.length);
    expect(publishes).toBe(written.length);
    expect(new Set(ids)).toEqual(new Set(written));
  });

  it('elects one leader among replicas and fails over when it stops', async () => {
    await purge();
    const a = relay();
    const b = relay();
    await a.start();
    await b.start();
    await waitFor(() => a.isLeader || b.isLeader, { message: 'a leader' });
    expect(a.isLeader && b.isLeader).toBe(false);
    const [leader, standby] = a.isLeader ? [a, b] : [b, a];
    await leader.stop();
    await waitFor(() => standby.isLeader, { message: 'the standby to take over' });
    const id = randomUUID();
    await (orm.em.fork() as unknown as SqlEntityManager).execute(
      `insert into ${SCHEMA}.events (id, body) values (?, 'after failover')`,
      [id],
    );
    await waitFor(async () => (await streamIds()).includes(id), {
      message: 'the row via the new leader',
    });
  });

  it('hands leadership to a standby within seconds when the leader link goes silent', async () => {
    await purge();
    // The leader's LISTEN session (which holds the lock) goes through a proxy that will
    // swallow every byte without closing anything: neither side hears of it from TCP.
    const proxy = await TcpProxy.forUrl(env.databaseUrl, 5432);
    try {
      const leader = relay({ databaseUrl: proxy.rewrite(env.databaseUrl), leaseMs: 3_000 });
      await leader.start();
      await waitFor(() => leader.isLeader, { message: 'the first relay to lead' });
      const standby = relay({ leaseMs: 3_000 });
      await standby.start();
      await new Promise((resolve) => setTimeout(resolve, 500));
      expect(standby.isLeader).toBe(false);

      proxy.blackHole();
      const silentSince = Date.now();
      await waitFor(() => standby.isLeader, {
        timeoutMs: 20_000,
        message: 'the standby to take over',
      });
      // One lease (3 s) for the server to end the silent session, plus a poll and slack.
      expect(Date.now() - silentSince).toBeLessThan(7_000);
      // The cut-off leader gave up by itself, before the standby could take over.
      expect(leader.isLeader).toBe(false);
      const id = randomUUID();
      await (orm.em.fork() as unknown as SqlEntityManager).execute(
        `insert into ${SCHEMA}.events (id, body) values (?, 'after takeover')`,
        [id],
      );
      await waitFor(async () => (await streamIds()).includes(id), {
        message: 'the row via the new leader',
      });
    } finally {
      await Promise.all(relays.splice(0).map((x) => x.stop()));
      await proxy.close();
    }
  }, 60_000);

  it('keeps rows while NATS is unreachable and catches up once it is back', async () => {
    await purge();
    const proxy = await TcpProxy.forUrl(env.natsUrl, 4222);
    const viaProxy = await connectNats(proxy.rewrite(env.natsUrl), 'tail-behind-proxy');
    try {
      const r = relay({ nc: viaProxy, publishTimeoutMs: 300 });
      await r.start();
      await waitFor(() => r.isLeader, { message: 'leadership' });
      proxy.cut();
      const em = orm.em.fork() as unknown as SqlEntityManager;
      const ids = Array.from({ length: 40 }, () => randomUUID());
      for (const id of ids)
        await em.execute(`insert into ${SCHEMA}.events (id, body) values (?, 'during outage')`, [
          id,
        ]);
      await new Promise((res) => setTimeout(res, 1_000));
      expect(await streamIds()).toEqual([]);
      proxy.restore();
      await waitFor(async () => (await streamIds()).length === ids.length, {
        timeoutMs: 30_000,
        message: 'catch-up after the outage',
      });
      expect(new Set(await streamIds())).toEqual(new Set(ids));
    } finally {
      await Promise.all(relays.splice(0).map((x) => x.stop()));
      await viaProxy.close();
      await proxy.close();
    }
  });

  it('leads and publishes again within about a second of the database return after an outage', async () => {
    await purge();
    // The relay reaches Postgres (pool and LISTEN session) only through the proxy.
    const proxy = await TcpProxy.forUrl(env.databaseUrl, 5432);
    const databaseUrl = proxy.rewrite(env.databaseUrl);
    const viaProxy = await MikroORM.init(
      createOrmOptions({
        schema: SCHEMA,
        databaseUrl,
        entities: MESSAGING_ENTITIES,
        migrations: [{ name: 'Migration20261127000000_tail', class: InitTail }],
      }),
    );
    try {
      const r = relay({ orm: viaProxy, databaseUrl, pollIntervalMs: 5_000 });
      await r.start();
      await waitFor(() => r.isLeader, { message: 'leadership' });
      proxy.cut();
      // Long enough for the loop and reconnect back-offs to have grown past several seconds.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const id = randomUUID();
      const em = orm.em.fork() as unknown as SqlEntityManager;
      await em.execute(`insert into ${SCHEMA}.events (id, body) values (?, 'during outage')`, [id]);
      proxy.restore();
      const back = Date.now();
      await waitFor(async () => (await streamIds()).includes(id), {
        timeoutMs: 30_000,
        intervalMs: 20,
        message: 'the row after the outage',
      });
      expect(Date.now() - back).toBeLessThan(1_500);
      expect(r.isLeader).toBe(true);
    } finally {
      await Promise.all(relays.splice(0).map((x) => x.stop()));
      await viaProxy.close(true);
      await proxy.close();
    }
  }, 60_000);

  it('sets aside a row it cannot turn into a message, and goes on with the others', async () => {
    await purge();
    const r = relay();
    await r.start();
    const em = orm.em.fork() as unknown as SqlEntityManager;
    const good = [randomUUID(), randomUUID()];
    await em.execute(
      `insert into ${SCHEMA}.events (id, body) values (?, 'ok'), (?, 'poison'), (?, 'ok')`,
      [good[0], randomUUID(), good[1]],
    );
    await waitFor(async () => (await streamIds()).length === 2, { message: 'the two good rows' });
    expect(new Set(await streamIds())).toEqual(new Set(good));
    const failures = await em.execute<{ error: string }[]>(
      `select error from ${SCHEMA}.relay_failures`,
    );
    expect(failures).toEqual([{ error: 'cannot describe this row' }]);
  });

  it('sets aside a row larger than NATS max_payload, counts it, and keeps relaying the rest', async () => {
    await purge();
    let setAside = 0;
    const r = relay({ onSetAside: (n) => (setAside += n) });
    const before = await r.setAsideRows();
    await r.start();
    const em = orm.em.fork() as unknown as SqlEntityManager;
    const good = [randomUUID(), randomUUID()];
    // Over the server's 1 MB max_payload: NATS refuses it on every attempt.
    await em.execute(
      `insert into ${SCHEMA}.events (id, body) values (?, 'ok'), (?, ?), (?, 'ok')`,
      [good[0], randomUUID(), 'x'.repeat(1_100_000), good[1]],
    );
    await waitFor(async () => (await streamIds()).length === 2, { message: 'the two good rows' });
    expect(new Set(await streamIds())).toEqual(new Set(good));
    // The table is not blocked: the cursor moves past the big row and a later one (before,
    // the batch failed on every pass and was sent again, its good rows deduplicated).
    const later = randomUUID();
    await em.execute(`insert into ${SCHEMA}.events (id, body) values (?, 'later')`, [later]);
    await waitFor(
      async () =>
        (
          await em.execute(
            `select 1 from ${SCHEMA}.relay_cursors c join ${SCHEMA}.events t on t.id = ?
              where c.name = 'events' and (c.tx_id, c.seq) >= (t.tx_id, t.tail_seq)`,
            [later],
          )
        ).length === 1,
      { message: 'the cursor past a later row' },
    );
    expect(await streamIds()).toContain(later);
    const failures = await em.execute<{ error: string }[]>(
      `select error from ${SCHEMA}.relay_failures where error like '%max_payload%'`,
    );
    expect(failures).toHaveLength(1);
    expect(setAside).toBe(1);
    expect(await r.setAsideRows()).toBe(before + 1);
  });

  it('reports the age of the oldest unrelayed row as its lag, from any replica', async () => {
    const em = orm.em.fork() as unknown as SqlEntityManager;
    const standby = relay({ timeColumn: 'written_at' }); // not started: reads the database only
    expect(await standby.oldestPendingAgeSeconds()).toBe(0);
    await em.execute(
      `insert into ${SCHEMA}.events (id, body, written_at) values (?, 'waiting', now() - interval '30 seconds')`,
      [randomUUID()],
    );
    const age = await standby.oldestPendingAgeSeconds();
    expect(age).toBeGreaterThanOrEqual(30);
    expect(age).toBeLessThan(40);
    // Without a time column: how long the cursor has stood still while rows wait.
    await em.execute(
      `update ${SCHEMA}.relay_cursors set updated_at = now() - interval '20 seconds' where name = 'events'`,
    );
    const still = await relay().oldestPendingAgeSeconds();
    expect(still).toBeGreaterThanOrEqual(20);
    expect(still).toBeLessThan(30);
    await relay().start();
    await waitFor(async () => (await standby.oldestPendingAgeSeconds()) === 0, {
      message: 'the lag to drop to 0 once relayed',
    });
  });

  it('reconciles the relayed rows with the stream: a lost message is published again, a set-aside row is not', async () => {
    await purge();
    const em = orm.em.fork() as unknown as SqlEntityManager;
    // Earlier tests' rows are in the window too, and their messages purged: not this test's.
    await em.execute(`delete from ${SCHEMA}.events`);
    const r = relay();
    await r.start();
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    await em.execute(
      `insert into ${SCHEMA}.events (id, body) values (?, 'a'), (?, 'poison'), (?, 'b'), (?, 'c')`,
      [ids[0], randomUUID(), ids[1], ids[2]],
    );
    await waitFor(async () => (await streamIds()).length === 3, { message: 'three rows relayed' });
    await waitFor(async () => (await r.oldestPendingAgeSeconds()) === 0, {
      message: 'the cursor past them',
    });
    const reconciler = new StreamReconciler({
      nc,
      intervalMs: 0,
      sources: [
        tailReconcileSource({
          name: 'events',
          table: 'events',
          toMessage,
          timeColumn: 'written_at',
          schema: SCHEMA,
          orm,
          namespace: env.natsNamespace,
        }),
      ],
    });
    const stream = physicalStreamName(env.natsNamespace, 'IHF_EVENTS');
    const lost = await jsm.streams.getMessage(stream, {
      last_by_subj: `${env.natsNamespace}.${SUBJECT}`,
    });
    await jsm.streams.deleteMessage(stream, lost!.seq);
    expect(await streamIds()).toHaveLength(2);
    const [result] = await reconciler.reconcileNow();
    expect(result.republished).toBe(1);
    expect(new Set((await streamIds()).map((id) => id.split('.')[0]))).toEqual(new Set(ids));
    expect((await reconciler.reconcileNow())[0].republished).toBe(0);
  });

  it("refuses to relay from a cursor ahead of the server's transaction ids (a restored database)", async () => {
    const em = orm.em.fork() as unknown as SqlEntityManager;
    const stale = 'events_restored';
    await em.execute(
      `insert into ${SCHEMA}.relay_cursors (name, tx_id, seq) values (?, '999999999999'::xid8, 0)`,
      [stale],
    );
    const r = relay({ name: stale });
    await expect(r.relayOnce()).rejects.toThrow(/ahead of this server's transaction ids/);
    await em.execute(`update ${SCHEMA}.relay_cursors set tx_id = '0' where name = ?`, [stale]);
    await expect(r.relayOnce()).resolves.toBeGreaterThanOrEqual(0);
  });

  it('reads a steady trickle of commits in batches, not once per commit', async () => {
    await purge();
    const published: number[] = [];
    const r = relay({ coalesceMs: 50, onPublished: (n) => published.push(n) });
    await r.start();
    await waitFor(() => r.isLeader, { message: 'leadership' });
    const em = orm.em.fork() as unknown as SqlEntityManager;
    const ids: string[] = [];
    for (let i = 0; i < 40; i++) {
      const id = randomUUID();
      ids.push(id);
      await em.execute(`insert into ${SCHEMA}.events (id, body) values (?, 'trickle')`, [id]);
      await new Promise((resolve) => setTimeout(resolve, 5));
    }
    await waitFor(async () => (await streamIds()).length === 40, { message: 'all 40 rows' });
    expect(new Set(await streamIds())).toEqual(new Set(ids));
    // 40 commits about 5 ms apart over ≥ 200 ms: with 50 ms of coalescing, far fewer passes.
    expect(published.reduce((a, b) => a + b, 0)).toBe(40);
    expect(published.length).toBeLessThan(15);
  });
});
