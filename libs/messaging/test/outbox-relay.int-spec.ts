import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { createOrmOptions } from '@ihf/persistence';
import { randomUUID } from 'node:crypto';
import {
  INBOX_RETENTION_MS,
  InvalidEventError,
  Outbox,
  OutboxRelay,
  connectNats,
  pruneInbox,
  type RelayedEvent,
} from '@ihf/messaging';
import { RequestContext } from '@ihf/observability';
import { physicalStreamName, type EventEnvelope } from '@ihf/contracts';
import { TcpProxy, waitFor } from '@ihf/testing';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

describe('transactional outbox and relay', () => {
  let f: MessagingFixture;
  const outbox = new Outbox('msgtest');
  const relays: OutboxRelay[] = [];

  beforeAll(async () => {
    f = await MessagingFixture.create();
  });
  afterEach(async () => {
    await Promise.all(relays.splice(0).map((r) => r.stop()));
    await f.jsm.streams.purge(physicalStreamName(f.namespace, 'IHF_IDENTITY'));
    await f.sql(`delete from ${SCHEMA}.outbox`);
  });
  afterAll(() => f.close());

  function relay(
    overrides: Partial<ConstructorParameters<typeof OutboxRelay>[0]> = {},
  ): OutboxRelay {
    const r = new OutboxRelay({
      schema: SCHEMA,
      orm: f.orm,
      databaseUrl: f.env.databaseUrl,
      nc: f.nc,
      namespace: f.namespace,
      pollIntervalMs: 5_000, // long, so the tests show that NOTIFY wakes the relay
      ...overrides,
    });
    relays.push(r);
    return r;
  }

  async function addEvents(n: number): Promise<string[]> {
    const ids: string[] = [];
    await f.orm.em.fork().transactional((em: EntityManager) => {
      for (let i = 0; i < n; i++)
        ids.push(outbox.add(em, 'ihf.identity.user.created.v1', userCreated(`u${i}`)).event_id);
      return Promise.resolve();
    });
    return ids;
  }

  async function pending(): Promise<number> {
    const [row] = await f.sql<{ n: string }>(
      `select count(*) as n from ${SCHEMA}.outbox where published_at is null`,
    );
    return Number(row.n);
  }

  it('writes the event in the caller transaction: rolled back with it, committed with it', async () => {
    await expect(
      f.orm.em.fork().transactional((em: EntityManager) => {
        outbox.add(em, 'ihf.identity.user.created.v1', userCreated());
        return Promise.reject(new Error('domain rule failed'));
      }),
    ).rejects.toThrow('domain rule failed');
    expect(await f.sql(`select * from ${SCHEMA}.outbox`)).toHaveLength(0);

    const envelope = await RequestContext.run(
      { correlationId: 'corr-1', causationId: 'cause-1' },
      async () => {
        let e: EventEnvelope | undefined;
        await f.orm.em.fork().transactional((em: EntityManager) => {
          e = outbox.add(em, 'ihf.identity.user.created.v1', userCreated());
          return Promise.resolve();
        });
        return e!;
      },
    );
    expect(envelope).toMatchObject({
      type: 'ihf.identity.user.created.v1',
      version: 1,
      producer: 'msgtest',
    });
    expect(envelope.correlation_id).toBe('corr-1');
    expect(envelope.causation_id).toBe('cause-1');
    const [row] = await f.sql<{ envelope: { event_id: string } }>(
      `select envelope from ${SCHEMA}.outbox`,
    );
    expect(row.envelope.event_id).toBe(envelope.event_id);
  });

  it('publishes with low latency on NOTIFY, with Nats-Msg-Id = event id and correlation headers', async () => {
    const r = relay();
    await r.start();
    const started = Date.now();
    const [id] = await RequestContext.run({ correlationId: 'corr-42' }, () => addEvents(1));
    await waitFor(
      async () => (await pending()) === 0 && (await f.streamMessages('IHF_IDENTITY')) === 1,
      {
        message: 'the event to be relayed',
      },
    );
    // Far below the 5 s poll interval: the NOTIFY woke the relay.
    expect(Date.now() - started).toBeLessThan(2_000);
    const msg = await f.jsm.streams.getMessage(physicalStreamName(f.namespace, 'IHF_IDENTITY'), {
      last_by_subj: `${f.namespace}.ihf.identity.user.created.v1`,
    });
    expect(msg!.subject).toBe(`${f.namespace}.ihf.identity.user.created.v1`);
    expect(msg!.header.get('Nats-Msg-Id')).toBe(id);
    expect(msg!.header.get('Ihf-Correlation-Id')).toBe('corr-42');
    expect(msg!.json<{ event_id: string }>().event_id).toBe(id);
  });

  it('becomes exactly one message when the relay dies between publish and mark', async () => {
    const [id] = await addEvents(1);
    const crashing = relay({
      onPublished: () => {
        throw new Error('relay killed after publishing, before committing the mark');
      },
    });
    await expect(crashing.relayOnce()).rejects.toThrow('relay killed');
    expect(await f.streamMessages('IHF_IDENTITY')).toBe(1); // it did publish
    expect(await pending()).toBe(1); // but the mark was rolled back

    const next = relay();
    expect(await next.relayOnce()).toEqual({ published: 1, failed: 0 });
    expect(await pending()).toBe(0);
    expect(await f.streamMessages('IHF_IDENTITY')).toBe(1); // re-publish deduplicated
    const msg = await f.jsm.streams.getMessage(physicalStreamName(f.namespace, 'IHF_IDENTITY'), {
      last_by_subj: `${f.namespace}.ihf.identity.user.created.v1`,
    });
    expect(msg!.header.get('Nats-Msg-Id')).toBe(id);
  });

  it('never publishes a row twice with two relays running at once', async () => {
    // Counted before JetStream's de-duplication could hide a double publish.
    const seen = new Map<string, number>();
    const byRelay = { a: 0, b: 0 };
    const count = (who: 'a' | 'b') => (events: RelayedEvent[]) => {
      byRelay[who] += events.length;
      for (const e of events)
        seen.set(e.envelope.event_id, (seen.get(e.envelope.event_id) ?? 0) + 1);
    };
    const a = relay({ batchSize: 25, onPublished: count('a') });
    const b = relay({ batchSize: 25, onPublished: count('b') });
    const ids = (await Promise.all([addEvents(200), addEvents(200)])).flat();
    await Promise.all([a.start(), b.start()]);
    await waitFor(async () => (await pending()) === 0, {
      timeoutMs: 20_000,
      message: 'all rows relayed',
    });
    expect(seen.size).toBe(ids.length);
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    // Both really worked at the same time (otherwise this proves nothing about two relays).
    expect(byRelay.a).toBeGreaterThan(0);
    expect(byRelay.b).toBeGreaterThan(0);
    expect(await f.streamMessages('IHF_IDENTITY')).toBe(ids.length);
  });

  it('gives a row that cannot be published its own back-off, without holding back the others', async () => {
    // A subject no stream captures: JetStream answers "no responders" for it alone.
    const stuck = randomUUID();
    await f.sql(
      `insert into ${SCHEMA}.outbox (id, subject, envelope) values (?, 'ihf.nowhere.thing.happened.v1', ?)`,
      [stuck, JSON.stringify({ event_id: stuck, correlation_id: 'c', producer: 'msgtest' })],
    );
    const ids = await addEvents(5);
    const r = relay({ publishTimeoutMs: 500 });
    expect(await r.relayOnce()).toEqual({ published: 5, failed: 1 });
    const [row] = await f.sql<{ attempts: number; last_error: string; wait: string }>(
      `select attempts, last_error, extract(epoch from next_attempt_at - now()) as wait from ${SCHEMA}.outbox where id = ?`,
      [stuck],
    );
    expect(row.attempts).toBe(1);
    expect(row.last_error).toBeTruthy();
    expect(Number(row.wait)).toBeGreaterThan(0.5);
    // Not claimed again before its time; the rest went through.
    expect(await r.relayOnce()).toEqual({ published: 0, failed: 0 });
    expect(await f.streamMessages('IHF_IDENTITY')).toBe(ids.length);
  });

  async function insertUnpublishable(attempts = 0): Promise<string> {
    // A subject no stream captures: JetStream answers "no responders" for it alone.
    const id = randomUUID();
    await f.sql(
      `insert into ${SCHEMA}.outbox (id, subject, envelope, attempts) values (?, 'ihf.nowhere.thing.happened.v1', ?, ?)`,
      [id, JSON.stringify({ event_id: id, correlation_id: 'c', producer: 'msgtest' }), attempts],
    );
    return id;
  }

  it('keeps relaying the rows behind a row that failed 50 times (back-off exponent capped)', async () => {
    // From 44 attempts an uncapped 2^attempts seconds is out of an interval's range.
    const stuck = await insertUnpublishable(50);
    const ids = await addEvents(5);
    const seen = new Map<string, number>();
    const r = relay({
      batchSize: 2,
      publishTimeoutMs: 500,
      pollIntervalMs: 200,
      onPublished: (events) => {
        for (const e of events)
          seen.set(e.envelope.event_id, (seen.get(e.envelope.event_id) ?? 0) + 1);
      },
    });
    await r.start();
    await waitFor(async () => (await pending()) === 1, {
      timeoutMs: 15_000,
      message: 'every row but the unpublishable one to be relayed',
    });
    expect([...seen.keys()].sort()).toEqual([...ids].sort());
    expect([...seen.values()].every((n) => n === 1)).toBe(true);
    const [row] = await f.sql<{ attempts: number; wait: string }>(
      `select attempts, extract(epoch from next_attempt_at - now()) as wait from ${SCHEMA}.outbox where id = ?`,
      [stuck],
    );
    expect(row.attempts).toBe(51);
    expect(Number(row.wait)).toBeGreaterThan(250); // the 5-minute cap
    expect(Number(row.wait)).toBeLessThanOrEqual(300);
    expect(await f.streamMessages('IHF_IDENTITY')).toBe(ids.length);
  });

  it('backs off a row NATS refuses even when it is alone in its batch, so the next rows go out', async () => {
    const stuck = await insertUnpublishable();
    const [next] = await addEvents(1);
    const r = relay({ batchSize: 1, publishTimeoutMs: 500 });
    expect(await r.relayOnce()).toEqual({ published: 0, failed: 1 });
    const [row] = await f.sql<{ wait: string }>(
      `select extract(epoch from next_attempt_at - now()) as wait from ${SCHEMA}.outbox where id = ?`,
      [stuck],
    );
    expect(Number(row.wait)).toBeGreaterThan(0.5);
    // Not the refused row again: the one behind it.
    expect(await r.relayOnce()).toEqual({ published: 1, failed: 0 });
    const [published] = await f.sql<{ id: string }>(
      `select id from ${SCHEMA}.outbox where published_at is not null`,
    );
    expect(published.id).toBe(next);
  });

  it('keeps the published marks of acknowledged rows when recording another row failure fails', async () => {
    const stuck = await insertUnpublishable();
    await addEvents(3);
    // Makes recording the failure itself fail, as an overflow or a lost connection would.
    await f.sql(`create function ${SCHEMA}.refuse_attempts() returns trigger language plpgsql as $$
      begin
        if new.attempts > old.attempts then raise exception 'cannot record the failure'; end if;
        return new;
      end $$`);
    await f.sql(`create trigger refuse_attempts before update on ${SCHEMA}.outbox
      for each row execute function ${SCHEMA}.refuse_attempts()`);
    try {
      const r = relay({ publishTimeoutMs: 500 });
      expect(await r.relayOnce()).toEqual({ published: 3, failed: 1 });
      const rows = await f.sql<{ id: string; attempts: number }>(
        `select id, attempts from ${SCHEMA}.outbox where published_at is null`,
      );
      expect(rows).toEqual([{ id: stuck, attempts: 0 }]);
      // Nothing of the acknowledged rows is sent again.
      expect(await r.relayOnce()).toEqual({ published: 0, failed: 1 });
      expect(await f.streamMessages('IHF_IDENTITY')).toBe(3);
    } finally {
      await f.sql(`drop trigger refuse_attempts on ${SCHEMA}.outbox`);
      await f.sql(`drop function ${SCHEMA}.refuse_attempts()`);
    }
  });

  it('refuses, before commit, an event no consumer could accept', async () => {
    await expect(
      f.orm.em.fork().transactional((em: EntityManager) => {
        outbox.add(em, 'ihf.identity.user.created.v1', { ...userCreated(), user_id: 'not-a-uuid' });
        return Promise.resolve();
      }),
    ).rejects.toThrow(InvalidEventError);
    expect(await f.sql(`select * from ${SCHEMA}.outbox`)).toHaveLength(0);
  });

  it('loses nothing while NATS is unreachable, and delivers once it is back', async () => {
    const proxy = await TcpProxy.forUrl(f.env.natsUrl, 4222);
    const nc = await connectNats(proxy.rewrite(f.env.natsUrl), 'relay-behind-proxy');
    try {
      const r = relay({ nc, publishTimeoutMs: 500 });
      await r.start();
      proxy.cut();
      const ids = await addEvents(50);
      await waitFor(
        async () => {
          const [row] = await f.sql<{ n: string }>(
            `select count(*) as n from ${SCHEMA}.outbox where attempts > 0 and published_at is null`,
          );
          return Number(row.n) > 0;
        },
        { timeoutMs: 15_000, message: 'a failed publish attempt to be recorded' },
      );
      expect(await pending()).toBe(50);
      proxy.restore();
      await waitFor(async () => (await pending()) === 0, {
        timeoutMs: 30_000,
        message: 'relay to catch up',
      });
      expect(await f.streamMessages('IHF_IDENTITY')).toBe(ids.length);
      await r.stop();
    } finally {
      await nc.close();
      await proxy.close();
    }
  });

  it('publishes within about a second of the database return after an outage (no back-off wait)', async () => {
    // The relay reaches Postgres (pool and LISTEN session) only through the proxy.
    const proxy = await TcpProxy.forUrl(f.env.databaseUrl, 5432);
    const databaseUrl = proxy.rewrite(f.env.databaseUrl);
    const orm = await MikroORM.init(createOrmOptions({ ...f.settings, databaseUrl }));
    try {
      const r = relay({ orm, databaseUrl, pollIntervalMs: 5_000 });
      await r.start();
      await addEvents(1);
      await waitFor(async () => (await pending()) === 0, { message: 'relaying before the outage' });
      proxy.cut();
      // Long enough for the loop and reconnect back-offs to have grown past several seconds.
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      await addEvents(3); // written meanwhile by another replica; its NOTIFY is lost to this one
      proxy.restore();
      const back = Date.now();
      await waitFor(async () => (await pending()) === 0, {
        timeoutMs: 30_000,
        intervalMs: 20,
        message: 'relaying after the outage',
      });
      const took = Date.now() - back;
      expect(took).toBeLessThan(1_500);
      expect(await f.streamMessages('IHF_IDENTITY')).toBe(4);
      await r.stop();
    } finally {
      await orm.close(true);
      await proxy.close();
    }
  }, 60_000);

  it('deletes published rows after their retention and keeps pending rows; prunes old inbox ids', async () => {
    const [pendingId] = await addEvents(1);
    await f.sql(
      `insert into ${SCHEMA}.outbox (id, subject, envelope, created_at, published_at)
       values (gen_random_uuid(), 'ihf.identity.user.created.v1', '{}', now() - interval '9 days', now() - interval '8 days')`,
    );
    const r = relay();
    await r.start();
    await waitFor(async () => (await pending()) === 0, {
      message: 'the pending row to be relayed',
    });
    await waitFor(async () => (await f.sql(`select 1 from ${SCHEMA}.outbox`)).length === 1, {
      message: 'the old published row to be deleted',
    });
    const rows = await f.sql<{ id: string }>(`select id from ${SCHEMA}.outbox`);
    expect(rows.map((row) => row.id)).toEqual([pendingId]);

    await f.sql(
      `insert into ${SCHEMA}.inbox (consumer, event_id, subject, processed_at) values
       ('c', gen_random_uuid(), 's', now() - interval '50 days'), ('c', gen_random_uuid(), 's', now())`,
    );
    expect(await pruneInbox(f.orm.em.fork(), SCHEMA, INBOX_RETENTION_MS)).toBe(1);
    expect(await f.sql(`select 1 from ${SCHEMA}.inbox where consumer = 'c'`)).toHaveLength(1);
  });
});
