import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers, type NatsConnection } from '@nats-io/nats-core';
import { STREAMS, physicalStreamName, physicalSubject } from '@ihf/contracts';
import { BatchPublisher, connectNats, provisionStreams } from '@ihf/messaging';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';

const SUBJECT = 'ihf.ingestion.interaction.recorded.v1';

describe('BatchPublisher (JetStream acknowledgements without a request per message)', () => {
  let env: TestEnvironment;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let publisher: BatchPublisher;

  beforeAll(async () => {
    env = await createTestEnvironment();
    nc = await connectNats(env.natsUrl, 'batch-publisher-test');
    jsm = await jetstreamManager(nc);
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_EVENTS]);
    publisher = new BatchPublisher(nc);
  });
  afterAll(async () => {
    publisher?.close();
    await nc?.close();
    await env?.teardown();
  });

  const message = (id: string, subject = physicalSubject(env.natsNamespace, SUBJECT)) => {
    const h = headers();
    h.set('Nats-Msg-Id', id);
    return { subject, data: JSON.stringify({ id }), headers: h };
  };

  async function messagesInStream(): Promise<number> {
    const info = await jsm.streams.info(physicalStreamName(env.natsNamespace, 'IHF_EVENTS'));
    return info.state.messages;
  }

  it('resolves once every message of a batch is stored, and counts a re-sent one once', async () => {
    const before = await messagesInStream();
    const ids = Array.from({ length: 2000 }, () => randomUUID());
    await publisher.publishAll(
      ids.map((id) => message(id)),
      5000,
    );
    expect((await messagesInStream()) - before).toBe(2000);
    // The same ids again (a relay that crashed before moving its cursor): deduplicated.
    await publisher.publishAll(
      ids.slice(0, 100).map((id) => message(id)),
      5000,
    );
    expect((await messagesInStream()) - before).toBe(2000);
  });

  it('rejects a batch with a message no stream captures', async () => {
    await expect(
      publisher.publishAll(
        [message(randomUUID()), message(randomUUID(), `nostream.${randomUUID()}`)],
        5000,
      ),
    ).rejects.toThrow(/no JetStream stream captures this subject/);
  });

  it("reports each message's own outcome with publishEach", async () => {
    const before = await messagesInStream();
    const outcomes = await publisher.publishEach(
      [
        message(randomUUID()),
        message(randomUUID(), `nostream.${randomUUID()}`),
        message(randomUUID()),
      ],
      5000,
    );
    expect(outcomes[0]).toBeUndefined();
    expect(outcomes[1]?.message).toMatch(/no JetStream stream captures this subject/);
    expect(outcomes[2]).toBeUndefined();
    expect((await messagesInStream()) - before).toBe(2);
  });

  it('rejects a batch that is not acknowledged in time', async () => {
    // A plain subscriber that never answers stands in for an unresponsive server.
    const subject = `silent.${randomUUID()}`;
    const sub = nc.subscribe(subject);
    try {
      await expect(publisher.publishAll([message(randomUUID(), subject)], 300)).rejects.toThrow(
        /did not acknowledge 1 of 1 messages within 300 ms/,
      );
    } finally {
      sub.unsubscribe();
    }
  });
});
