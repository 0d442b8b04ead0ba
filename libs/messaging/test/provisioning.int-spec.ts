import { DiscardPolicy, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { nanos } from '@nats-io/nats-core';
import { type NatsConnection } from '@nats-io/transport-node';
import { STREAMS, physicalStreamName } from '@ihf/contracts';
import {
  connectNats,
  consumerConfig,
  provisionConsumers,
  provisionStreams,
  streamMaxBytesCap,
} from '@ihf/messaging';
import { createTestEnvironment, type TestEnvironment } from '@ihf/testing';

describe('declarative provisioning of streams and consumers', () => {
  let env: TestEnvironment;
  let nc: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    env = await createTestEnvironment();
    nc = await connectNats(env.natsUrl, 'provisioning-test');
    jsm = await jetstreamManager(nc);
  });
  afterAll(async () => {
    await nc.close();
    await env.teardown();
  });

  const name = () => physicalStreamName(env.natsNamespace, 'IHF_FEEDBACK');

  it('creates streams idempotently, also when replicas race', async () => {
    await Promise.all(
      [1, 2, 3].map(() => provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_FEEDBACK])),
    );
    const info = await jsm.streams.info(name());
    expect(info.config.subjects).toEqual([`${env.natsNamespace}.ihf.feedback.>`]);
    expect(info.config.max_age).toBe(nanos(STREAMS.IHF_FEEDBACK.maxAgeMs));
    expect(info.config.duplicate_window).toBe(nanos(STREAMS.IHF_FEEDBACK.duplicateWindowMs));
    // Capped by IHF_STREAM_MAX_BYTES (the test setup keeps streams small; JetStream reserves them).
    expect(info.config.max_bytes).toBe(Number(process.env.IHF_STREAM_MAX_BYTES));
    expect(streamMaxBytesCap({ IHF_STREAM_MAX_BYTES: '' })).toBeUndefined();
    expect(() => streamMaxBytesCap({ IHF_STREAM_MAX_BYTES: 'lots' })).toThrow(
      /IHF_STREAM_MAX_BYTES/,
    );
  });

  it('lets only the owner change a stream; a consumer of it only creates it when missing', async () => {
    const info = await jsm.streams.info(name());
    await jsm.streams.update(name(), { ...info.config, max_age: nanos(3_600_000) });
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_FEEDBACK], 'ensure');
    expect((await jsm.streams.info(name())).config.max_age).toBe(nanos(3_600_000));
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_FEEDBACK], 'owner');
    expect((await jsm.streams.info(name())).config.max_age).toBe(
      nanos(STREAMS.IHF_FEEDBACK.maxAgeMs),
    );
  });

  it('keeps dead letters: a full DLQ refuses new ones instead of dropping the oldest', async () => {
    await provisionStreams(jsm, env.natsNamespace, [STREAMS.IHF_DLQ], 'ensure');
    const info = await jsm.streams.info(physicalStreamName(env.natsNamespace, 'IHF_DLQ'));
    expect(info.config.discard).toBe(DiscardPolicy.New);
  });

  it('creates and then updates durable consumers to match their definitions', async () => {
    const def = {
      durable: 'probe__feedback',
      service: 'probe',
      stream: 'IHF_FEEDBACK' as const,
      filterSubject: 'ihf.feedback.>',
      maxDeliver: 5,
      ackWaitMs: 10_000,
      backoffMs: [100],
      maxAckPending: 10,
      deliverPolicy: 'all' as const,
    };
    await provisionConsumers(jsm, env.natsNamespace, [def]);
    await provisionConsumers(jsm, env.natsNamespace, [
      { ...def, ackWaitMs: 20_000, maxAckPending: 20 },
    ]);
    const info = await jsm.consumers.info(name(), def.durable);
    expect(info.config).toMatchObject({
      ...consumerConfig({ ...def, ackWaitMs: 20_000, maxAckPending: 20 }, env.natsNamespace),
    });
    expect(info.config.filter_subject).toBe(`${env.natsNamespace}.ihf.feedback.>`);
  });
});
