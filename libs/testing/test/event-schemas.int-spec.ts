import { randomUUID } from 'node:crypto';
import { jetstreamManager } from '@nats-io/jetstream';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  EVENT_EXAMPLES,
  STREAMS,
  allSubjects,
  contractFor,
  physicalSubject,
  streamForSubject,
  type StreamName,
} from '@ihf/contracts';
import { connectNats, provisionStreams } from '@ihf/messaging';
import {
  createTestEnvironment,
  schemaViolations,
  TestBus,
  type TestEnvironment,
} from '@ihf/testing';

async function provisionAll(env: TestEnvironment): Promise<void> {
  const nc = await connectNats(env.natsUrl, 'event-schemas-setup');
  await provisionStreams(await jetstreamManager(nc), env.natsNamespace, Object.values(STREAMS));
  await nc.close();
}

const HUB = '3f1c2a9e-0b7d-4c55-9a61-2d4e8f0a1b01';

describe('events on the bus and their committed JSON Schemas', () => {
  let env: TestEnvironment;
  let bus: TestBus;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await provisionAll(env);
    bus = await TestBus.connect(env.natsUrl, env.natsNamespace);
  });
  afterAll(async () => {
    await bus.close();
    await env.teardown();
  });

  it("publishes each subject's documented example, and its schema and payload class accept it", async () => {
    const subjects = allSubjects();
    for (const subject of subjects) {
      const payload = EVENT_EXAMPLES[subject];
      await bus.publish(subject, payload, {
        hubId: contractFor(subject)!.hubScoped ? HUB : null,
      });
    }
    for (const subject of subjects) {
      const stream = streamForSubject(subject)!.name as StreamName;
      const [stored] = await bus.events(stream, subject);
      expect({ subject, problems: schemaViolations(subject, JSON.stringify(stored)) }).toEqual({
        subject,
        problems: [],
      });
      // As a consumer validates it (libs/messaging's consumer runner).
      const instance = plainToInstance(contractFor(subject)!.payload, stored.payload);
      expect({ subject, errors: await validate(instance, { forbidUnknownValues: true }) }).toEqual({
        subject,
        errors: [],
      });
    }
    // Teardown (afterAll) checks each of them again, as every integration test's events are.
  });

  it('fails the test file when a published event breaks its schema, whoever published it', async () => {
    const other = await createTestEnvironment();
    await provisionAll(other);
    const otherBus = await TestBus.connect(other.natsUrl, other.natsNamespace);
    try {
      const good = EVENT_EXAMPLES['ihf.feedback.annotation.created.v1'];
      await otherBus.publish('ihf.feedback.annotation.created.v1', good, { hubId: HUB });
      // Deliberately against the contract, and said so: not counted.
      await otherBus.publish(
        'ihf.feedback.annotation.created.v1',
        { ...good, category: 'rant' as never },
        { hubId: HUB, breaksContract: 'testing the check' },
      );
      await otherBus.publishRaw('ihf.feedback.annotation.created.v1', '{"not":"an event"}');
      // A service that leaves a nullable field out (the drift this check exists for), published
      // straight on JetStream as a relay does.
      const { parent_id: _dropped, ...withoutParent } = good;
      await otherBus.js.publish(
        physicalSubject(other.natsNamespace, 'ihf.feedback.annotation.created.v1'),
        JSON.stringify({
          event_id: randomUUID(),
          type: 'ihf.feedback.annotation.created.v1',
          version: 1,
          occurred_at: new Date().toISOString(),
          producer: 'feedback',
          correlation_id: randomUUID(),
          causation_id: null,
          hub_id: HUB,
          payload: withoutParent,
        }),
      );
    } finally {
      await otherBus.close();
    }
    const failure = await other.teardown().then(
      () => 'passed',
      (e: Error) => e.message,
    );
    expect(failure).toContain('1 of 2 published events do not match their committed JSON Schema');
    expect(failure).toContain("must have required property 'parent_id'");
  });

  it('answers for no subject: a publish nobody serves still fails at once with no responders', async () => {
    const started = Date.now();
    await expect(
      bus.js.publish(physicalSubject(env.natsNamespace, 'ihf.nowhere.thing.happened.v1'), '{}', {
        timeout: 5_000,
      }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
