import { type EntityManager } from '@mikro-orm/core';
import { Outbox, OutboxRelay, StreamReconciler, outboxReconcileSource } from '@ihf/messaging';
import { physicalStreamName } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

describe('reconciler (relayed rows against the stream)', () => {
  let f: MessagingFixture;
  const outbox = new Outbox('msgtest');

  beforeAll(async () => {
    f = await MessagingFixture.create();
  });
  afterAll(() => f.close());

  const stream = () => physicalStreamName(f.namespace, 'IHF_IDENTITY');

  /** Stream sequence and message id of every stored message. */
  async function stored(): Promise<{ seq: number; msgId: string; eventId: string }[]> {
    const info = await f.jsm.streams.info(stream());
    const out: { seq: number; msgId: string; eventId: string }[] = [];
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const m = await f.jsm.streams.getMessage(stream(), { seq }).catch(() => null);
      if (m)
        out.push({
          seq,
          msgId: m.header.get('Nats-Msg-Id'),
          eventId: m.json<{ event_id: string }>().event_id,
        });
    }
    return out;
  }

  it('publishes again an acknowledged outbox event that is missing from its stream, once', async () => {
    const ids: string[] = [];
    await f.orm.em.fork().transactional((em: EntityManager) => {
      for (let i = 0; i < 3; i++)
        ids.push(outbox.add(em, 'ihf.identity.user.created.v1', userCreated(`u${i}`)).event_id);
      return Promise.resolve();
    });
    const relay = new OutboxRelay({
      schema: SCHEMA,
      orm: f.orm,
      databaseUrl: f.env.databaseUrl,
      nc: f.nc,
      namespace: f.namespace,
    });
    expect(await relay.relayOnce()).toEqual({ published: 3, failed: 0 });
    await relay.stop();

    const repaired: number[] = [];
    const reconciler = new StreamReconciler({
      nc: f.nc,
      sources: [outboxReconcileSource({ schema: SCHEMA, orm: f.orm, namespace: f.namespace })],
      intervalMs: 0,
      onRepaired: (_, n) => repaired.push(n),
    });
    // Nothing is missing: nothing is sent.
    expect(await reconciler.reconcileNow()).toEqual([
      { source: 'outbox', checked: 3, republished: 0 },
    ]);

    // The stream loses an acknowledged message (as a crash before fsync would).
    const lost = (await stored()).find((m) => m.eventId === ids[1])!;
    await f.jsm.streams.deleteMessage(stream(), lost.seq);
    expect((await stored()).map((m) => m.eventId)).not.toContain(ids[1]);

    expect(await reconciler.reconcileNow()).toEqual([
      { source: 'outbox', checked: 3, republished: 1 },
    ]);
    expect(repaired).toEqual([1]);
    const after = await stored();
    expect(after.map((m) => m.eventId).sort()).toEqual([...ids].sort());
    // Still within the duplicate window, JetStream remembers the id: stored under a derived one.
    expect(after.find((m) => m.eventId === ids[1])!.msgId).toMatch(
      new RegExp(`^${ids[1]}\\.restored\\.\\d+$`),
    );
    // A second run recognises the restored message.
    expect(await reconciler.reconcileNow()).toEqual([
      { source: 'outbox', checked: 3, republished: 0 },
    ]);
    expect(await stored()).toHaveLength(3);
  });

  it('runs periodically', async () => {
    const [id] = await (async () => {
      let e = '';
      await f.orm.em.fork().transactional((em: EntityManager) => {
        e = outbox.add(em, 'ihf.identity.user.created.v1', userCreated('p')).event_id;
        return Promise.resolve();
      });
      return [e];
    })();
    const relay = new OutboxRelay({
      schema: SCHEMA,
      orm: f.orm,
      databaseUrl: f.env.databaseUrl,
      nc: f.nc,
      namespace: f.namespace,
    });
    await relay.relayOnce();
    await relay.stop();
    const lost = (await stored()).find((m) => m.eventId === id)!;
    await f.jsm.streams.deleteMessage(stream(), lost.seq);
    const reconciler = new StreamReconciler({
      nc: f.nc,
      sources: [outboxReconcileSource({ schema: SCHEMA, orm: f.orm, namespace: f.namespace })],
      intervalMs: 300,
    });
    reconciler.start();
    try {
      await waitFor(async () => (await stored()).some((m) => m.eventId === id), {
        message: 'the periodic run to restore the message',
      });
    } finally {
      await reconciler.stop();
    }
  });
});
