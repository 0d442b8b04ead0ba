import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ihf/contracts';
import { connectNats, provisionStreams, RpcClient, RpcUnavailableError } from '@ihf/messaging';
import { createTestEnvironment, TestBus, type TestEnvironment } from '@ihf/testing';

describe('TestBus', () => {
  let env: TestEnvironment;
  let bus: TestBus;

  beforeAll(async () => {
    env = await createTestEnvironment();
    const nc = await connectNats(env.natsUrl, 'test-bus-setup');
    await provisionStreams(await jetstreamManager(nc), env.natsNamespace, [STREAMS.IHF_IDENTITY]);
    await nc.close();
    bus = await TestBus.connect(env.natsUrl, env.natsNamespace);
  });
  afterAll(async () => {
    await bus.close();
    await env.teardown();
  });

  it('publishes envelopes as a relay would and reads them back by subject', async () => {
    const sent = await bus.publish(
      'ihf.identity.user.locked.v1',
      { user_id: randomUUID(), locked_at: new Date().toISOString(), failed_login_attempts: 5 },
      { correlationId: 'corr-bus' },
    );
    expect(sent).toMatchObject({ version: 1, producer: 'identity', correlation_id: 'corr-bus' });
    const found = await bus.waitForEvent('IHF_IDENTITY', 'ihf.identity.user.locked.v1');
    expect(found).toEqual(sent);
    expect(await bus.events('IHF_IDENTITY', 'ihf.identity.user.created.v1')).toEqual([]);
    expect(await bus.deadLetters('nobody')).toEqual([]); // no DLQ stream: nothing dead-lettered
  });

  it("answers request/reply in the owner's place, until stopped", async () => {
    const client = new RpcClient({
      natsUrl: env.natsUrl,
      service: 'probe',
      namespace: env.natsNamespace,
    });
    await client.connect();
    try {
      const stop = bus.respond<{ n: number }, { doubled: number }>(
        'ihf.rpc.probe.number.double.v1',
        (d) => ({
          doubled: d.n * 2,
        }),
      );
      // The responder's subscription has reached the server before anyone asks.
      await bus.nc.flush();
      expect(await client.request('ihf.rpc.probe.number.double.v1', { n: 21 })).toEqual({
        doubled: 42,
      });
      stop();
      await expect(client.request('ihf.rpc.probe.number.double.v1', { n: 1 }, 300)).rejects.toThrow(
        RpcUnavailableError,
      );
    } finally {
      await client.close();
    }
  });
});
