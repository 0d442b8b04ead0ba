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
  streamReplicas,
} from '@ihf/messaging';
import {
  createTestEnvironment,
  startNatsCluster,
  waitFor,
  type NatsCluster,
  type TestEnvironment,
} from '@ihf/testing';

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

describe('stream replicas (IHF_STREAM_REPLICAS) on a 3-node JetStream cluster', () => {
  let cluster: NatsCluster;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  const namespace = 'replicas';
  const name = physicalStreamName(namespace, 'IHF_FEEDBACK');
  const previous = process.env.IHF_STREAM_REPLICAS;

  beforeAll(async () => {
    cluster = await startNatsCluster({ size: 3, name: 'ihf-replicas-test' });
    nc = await connectNats(cluster.url, 'replicas-test');
    jsm = await jetstreamManager(nc);
  }, 60_000);
  afterAll(async () => {
    if (previous === undefined) delete process.env.IHF_STREAM_REPLICAS;
    else process.env.IHF_STREAM_REPLICAS = previous;
    await nc?.close();
    await cluster?.stop();
  });

  it('reads the variable: 1 when unset, refuses what JetStream cannot do', () => {
    expect(streamReplicas({})).toBe(1);
    expect(streamReplicas({ IHF_STREAM_REPLICAS: '3' })).toBe(3);
    for (const bad of ['0', '6', '2.5', 'three']) {
      expect(() => streamReplicas({ IHF_STREAM_REPLICAS: bad })).toThrow(/IHF_STREAM_REPLICAS/);
    }
  });

  it('raises an existing R1 stream to R3 in place, keeping its messages, and never lowers it', async () => {
    delete process.env.IHF_STREAM_REPLICAS;
    await provisionStreams(jsm, namespace, [STREAMS.IHF_FEEDBACK]);
    expect((await jsm.streams.info(name)).config.num_replicas).toBe(1);
    const js = jsm.jetstream();
    for (let i = 0; i < 5; i++) await js.publish(`${namespace}.ihf.feedback.probe`, `m${i}`);

    process.env.IHF_STREAM_REPLICAS = '3';
    await provisionStreams(jsm, namespace, [STREAMS.IHF_FEEDBACK]);
    // Two more peers hold the stream once they caught up with the leader.
    const info = await waitFor(
      async () => {
        const i = await jsm.streams.info(name);
        const current = (i.cluster?.replicas ?? []).filter((r) => r.current);
        return i.config.num_replicas === 3 && current.length === 2 ? i : undefined;
      },
      { timeoutMs: 30_000 },
    );
    expect(info.state.messages).toBe(5);

    // A lower setting (an older replica during a rolling deploy) leaves R3 alone.
    process.env.IHF_STREAM_REPLICAS = '1';
    await provisionStreams(jsm, namespace, [STREAMS.IHF_FEEDBACK]);
    expect((await jsm.streams.info(name)).config.num_replicas).toBe(3);
  }, 60_000);

  it('creates new streams at the configured replicas, also from a consumer (ensure)', async () => {
    process.env.IHF_STREAM_REPLICAS = '3';
    await provisionStreams(jsm, namespace, [STREAMS.IHF_DLQ], 'ensure');
    const info = await jsm.streams.info(physicalStreamName(namespace, 'IHF_DLQ'));
    expect(info.config.num_replicas).toBe(3);
  });

  it('fails loudly on a single server that cannot hold three replicas', async () => {
    const env = await createTestEnvironment();
    const single = await connectNats(env.natsUrl, 'replicas-single');
    try {
      process.env.IHF_STREAM_REPLICAS = '3';
      await expect(
        provisionStreams(await jetstreamManager(single), env.natsNamespace, [STREAMS.IHF_FEEDBACK]),
      ).rejects.toThrow(/replicas/i);
    } finally {
      await single.close();
      await env.teardown();
    }
  });
});
