import { randomUUID } from 'node:crypto';
import { MikroORM, type EntityManager } from '@mikro-orm/core';
import { type EntityManager as SqlEntityManager } from '@mikro-orm/postgresql';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { RequestContext } from '@ihf/observability';
import {
  ConsumerRunner,
  EventConsumers,
  NonRetryableError,
  provisionConsumers,
  type DeliveryOutcome,
  type EventHandlers,
} from '@ihf/messaging';
import {
  physicalStreamName,
  physicalSubject,
  type ConsumerDefinition,
  type EventEnvelope,
} from '@ihf/contracts';
import { createOrmOptions } from '@ihf/persistence';
import { TcpProxy, waitFor } from '@ihf/testing';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

const SUBJECT = 'ihf.identity.user.created.v1';

describe('consumer runner', () => {
  let f: MessagingFixture;
  const runners: ConsumerRunner[] = [];

  beforeAll(async () => {
    f = await MessagingFixture.create();
  });
  afterEach(async () => {
    await Promise.all(runners.splice(0).map((r) => r.stop()));
    // Each test's consumer starts at the beginning of an empty stream.
    await f.jsm.streams.purge(physicalStreamName(f.namespace, 'IHF_IDENTITY'));
  });
  afterAll(() => f.close());

  function envelope(overrides: Partial<EventEnvelope> = {}): EventEnvelope {
    return {
      event_id: randomUUID(),
      type: SUBJECT,
      version: 1,
      occurred_at: new Date().toISOString(),
      producer: 'identity',
      correlation_id: `corr-${randomUUID()}`,
      causation_id: null,
      hub_id: null,
      payload: userCreated(),
      ...overrides,
    };
  }

  /** Publishes like a relay would; `msgId` lets a test publish the same event again after the dedupe window. */
  async function publish(
    e: EventEnvelope | string,
    msgId = randomUUID(),
    subject = SUBJECT,
  ): Promise<void> {
    const h = natsHeaders();
    await f.js.publish(
      physicalSubject(f.namespace, subject),
      typeof e === 'string' ? e : JSON.stringify(e),
      {
        msgID: msgId,
        headers: h,
      },
    );
  }

  async function run(
    definition: ConsumerDefinition,
    handlers: EventHandlers,
    outcomes: DeliveryOutcome[] = [],
  ) {
    await provisionConsumers(f.jsm, f.namespace, [definition]);
    const runner = new ConsumerRunner({
      definition,
      handlers,
      orm: f.orm,
      schema: SCHEMA,
      js: f.js,
      namespace: f.namespace,
      concurrency: 4,
      onOutcome: (o) => outcomes.push(o),
    });
    runners.push(runner);
    await runner.start();
    return runner;
  }

  async function effects(eventId: string): Promise<{ correlation_id: string; note: string }[]> {
    return f.sql(`select correlation_id, note from ${SCHEMA}.effects where event_id = ?`, [
      eventId,
    ]);
  }

  async function record(em: EntityManager, e: EventEnvelope, note: string): Promise<void> {
    await (em as unknown as SqlEntityManager).execute(
      `insert into ${SCHEMA}.effects (event_id, correlation_id, note) values (?, ?, ?)`,
      [e.event_id, RequestContext.current()?.correlationId ?? null, note],
    );
  }

  async function deadLetters(durable: string) {
    const stream = physicalStreamName(f.namespace, 'IHF_DLQ');
    const info = await f.jsm.streams.info(stream, { subjects_filter: '>' });
    const subject = physicalSubject(f.namespace, `ihf.dlq.${durable}`);
    const count = info.state.subjects?.[subject] ?? 0;
    if (count === 0) return [];
    const last = await f.jsm.streams.getMessage(stream, { last_by_subj: subject });
    return [
      {
        count,
        reason: last!.header.get('Ihf-Dead-Letter-Reason'),
        deliveries: last!.header.get('Ihf-Dead-Letter-Deliveries'),
        data: last!.string(),
      },
    ];
  }

  it('handles an event in a transaction with its inbox record and restores the correlation id', async () => {
    const outcomes: DeliveryOutcome[] = [];
    await run(
      f.consumer('ok_consumer'),
      { [SUBJECT]: (e, em) => record(em, e, e.payload.name) },
      outcomes,
    );
    const e = envelope();
    await publish(e);
    await waitFor(async () => (await effects(e.event_id)).length === 1, { message: 'the effect' });
    expect(await effects(e.event_id)).toEqual([
      { correlation_id: e.correlation_id, note: e.payload && (e.payload as { name: string }).name },
    ]);
    const inbox = await f.sql(`select consumer, subject from ${SCHEMA}.inbox where event_id = ?`, [
      e.event_id,
    ]);
    expect(inbox).toEqual([{ consumer: 'ok_consumer', subject: SUBJECT }]);
    expect(outcomes).toEqual(['handled']);
  });

  it('does not repeat the effect of a redelivered event', async () => {
    const outcomes: DeliveryOutcome[] = [];
    await run(
      f.consumer('redelivery_consumer'),
      { [SUBJECT]: (e, em) => record(em, e, 'once') },
      outcomes,
    );
    const e = envelope();
    // Three deliveries of one event, each with its own Nats-Msg-Id (as after the dedupe window).
    await publish(e);
    await publish(e);
    await publish(e);
    await waitFor(() => outcomes.length === 3, { message: 'three deliveries' });
    expect(await effects(e.event_id)).toHaveLength(1);
    expect(outcomes.sort()).toEqual(['duplicate', 'duplicate', 'handled']);
  });

  it('retries a failing handler with back-off and commits nothing of the failed attempts', async () => {
    const outcomes: DeliveryOutcome[] = [];
    let calls = 0;
    const attemptsAt: number[] = [];
    await run(
      f.consumer('flaky_consumer', { maxDeliver: 4, backoffMs: [150, 300] }),
      {
        [SUBJECT]: async (e, em) => {
          calls++;
          attemptsAt.push(Date.now());
          await record(em, e, `attempt ${calls}`);
          if (calls < 3) throw new Error(`transient failure ${calls}`);
        },
      },
      outcomes,
    );
    const e = envelope();
    await publish(e);
    await waitFor(() => outcomes.includes('handled'), { message: 'the third attempt to succeed' });
    // The redeliveries waited for the consumer's back-off (150 ms, then 300 ms).
    expect(attemptsAt[1] - attemptsAt[0]).toBeGreaterThanOrEqual(140);
    expect(attemptsAt[2] - attemptsAt[1]).toBeGreaterThanOrEqual(290);
    expect(outcomes).toEqual(['retry', 'retry', 'handled']);
    expect(await effects(e.event_id)).toEqual([
      { correlation_id: e.correlation_id, note: 'attempt 3' },
    ]);
    expect(await deadLetters('flaky_consumer')).toEqual([]);
  });

  it('dead-letters with the reason after the delivery limit', async () => {
    const outcomes: DeliveryOutcome[] = [];
    let calls = 0;
    await run(
      f.consumer('failing_consumer', { maxDeliver: 3 }),
      {
        [SUBJECT]: () => {
          calls++;
          return Promise.reject(new Error('database says no'));
        },
      },
      outcomes,
    );
    const e = envelope();
    await publish(e);
    await waitFor(() => outcomes.includes('dead_lettered'), { message: 'the dead letter' });
    expect(calls).toBe(3);
    expect(outcomes).toEqual(['retry', 'retry', 'dead_lettered']);
    const [dl] = await deadLetters('failing_consumer');
    expect(dl).toMatchObject({ count: 1, deliveries: '3' });
    expect(dl.reason).toMatch(/failed 3 time\(s\) in 3 deliveries: database says no/);
    expect(JSON.parse(dl.data)).toEqual(e);
    expect(await effects(e.event_id)).toEqual([]);
    // Terminated: not delivered again.
    await new Promise((r) => setTimeout(r, 300));
    expect(calls).toBe(3);
  });

  it('dead-letters invalid messages and non-retryable failures at once', async () => {
    const outcomes: DeliveryOutcome[] = [];
    await run(
      f.consumer('strict_consumer'),
      {
        [SUBJECT]: (e) =>
          e.payload.name === 'poison'
            ? Promise.reject(new NonRetryableError('unknown hub'))
            : Promise.resolve(),
      },
      outcomes,
    );
    await publish('not json at all');
    await publish(envelope({ payload: { ...userCreated(), roles: ['root'] } }));
    await publish(envelope({ type: 'ihf.identity.user.locked.v1' }));
    await publish(envelope({ payload: userCreated('poison') }));
    await waitFor(() => outcomes.length === 4, { message: 'four settled deliveries' });
    expect(outcomes).toEqual(['dead_lettered', 'dead_lettered', 'dead_lettered', 'dead_lettered']);
    const [dl] = await deadLetters('strict_consumer');
    expect(dl.count).toBe(4);
    expect(dl.reason).toMatch(/unknown hub/);
  });

  it('never delivers a dead-lettered message again, not even after ack-wait and a restart', async () => {
    // nats-server 2.9 ignores '+TERM <reason>' (only a bare '+TERM' terminates): the message
    // stayed pending and came back after every ack-wait.
    const definition = f.consumer('terminated_consumer', { ackWaitMs: 1_000 });
    const outcomes: DeliveryOutcome[] = [];
    let calls = 0;
    const handlers: EventHandlers = {
      [SUBJECT]: () => {
        calls++;
        return Promise.resolve();
      },
    };
    const first = await run(definition, handlers, outcomes);
    await publish(envelope({ payload: { ...userCreated(), roles: ['root'] } }));
    await waitFor(() => outcomes.length === 1, { message: 'the dead letter' });
    await new Promise((r) => setTimeout(r, 2_500)); // beyond ack-wait
    await first.stop();
    await run(definition, handlers, outcomes);
    await new Promise((r) => setTimeout(r, 2_500));
    expect(outcomes).toEqual(['dead_lettered']);
    expect(calls).toBe(0);
    const [dl] = await deadLetters('terminated_consumer');
    expect(dl.count).toBe(1);
    expect(dl.reason).toMatch(/invalid payload: roles/);
    const info = await f.jsm.consumers.info(
      physicalStreamName(f.namespace, 'IHF_IDENTITY'),
      'terminated_consumer',
    );
    expect(info.num_ack_pending).toBe(0);
    expect(info.num_redelivered).toBe(0);
  });

  it('acknowledges events it has no handler for without touching the inbox', async () => {
    const outcomes: DeliveryOutcome[] = [];
    await run(
      f.consumer('picky_consumer', { filterSubject: 'ihf.identity.user.locked.v1' }),
      {},
      outcomes,
    );
    const e = envelope({
      type: 'ihf.identity.user.locked.v1',
      payload: {
        user_id: randomUUID(),
        locked_at: new Date().toISOString(),
        failed_login_attempts: 5,
      },
    });
    await publish(e, undefined, 'ihf.identity.user.locked.v1');
    await waitFor(() => outcomes.length === 1, { message: 'one delivery' });
    expect(outcomes).toEqual(['ignored']);
  });

  it('bounds concurrency and drains in-flight handlers on stop', async () => {
    let running = 0;
    let peak = 0;
    let done = 0;
    const runner = await run(f.consumer('busy_consumer', { maxAckPending: 50 }), {
      [SUBJECT]: async (e, em) => {
        running++;
        peak = Math.max(peak, running);
        await new Promise((r) => setTimeout(r, 30));
        await record(em, e, 'busy');
        running--;
        done++;
      },
    });
    const events = Array.from({ length: 20 }, () => envelope());
    for (const e of events) await publish(e);
    await waitFor(() => done >= 5, { message: 'some handlers to finish' });
    await runner.stop();
    expect(running).toBe(0); // nothing left half-done
    expect(peak).toBeLessThanOrEqual(4);
    expect(peak).toBeGreaterThan(1);
  });

  it('keeps retrying, never dead-letters, while its own database is unreachable', async () => {
    const outcomes: DeliveryOutcome[] = [];
    let calls = 0;
    await run(
      f.consumer('outage_consumer', { maxDeliver: 2, backoffMs: [20, 40] }),
      {
        [SUBJECT]: async (e, em) => {
          calls++;
          if (calls <= 5) {
            throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
              code: 'ECONNREFUSED',
            });
          }
          await record(em, e, 'after the outage');
        },
      },
      outcomes,
    );
    const e = envelope();
    await publish(e);
    await waitFor(() => outcomes.includes('handled'), { message: 'success after the outage' });
    expect(calls).toBe(6); // far past maxDeliver = 2
    expect(outcomes.filter((o) => o === 'dead_lettered')).toEqual([]);
    expect(await effects(e.event_id)).toHaveLength(1);
    expect(await deadLetters('outage_consumer')).toEqual([]);
  });

  it('counts real handler failures, not the redeliveries of a database outage', async () => {
    const proxy = await TcpProxy.forUrl(f.env.databaseUrl, 5432);
    const orm = await MikroORM.init(
      createOrmOptions({ ...f.settings, databaseUrl: proxy.rewrite(f.env.databaseUrl) }),
    );
    try {
      const outcomes: DeliveryOutcome[] = [];
      const calls = new Map<string, number>();
      const definition = f.consumer('outage_then_failure', { maxDeliver: 3, backoffMs: [20, 40] });
      await provisionConsumers(f.jsm, f.namespace, [definition]);
      const runner = new ConsumerRunner({
        definition,
        orm,
        schema: SCHEMA,
        js: f.js,
        namespace: f.namespace,
        onOutcome: (o) => outcomes.push(o),
        handlers: {
          [SUBJECT]: async (e, em) => {
            const n = (calls.get(e.payload.name) ?? 0) + 1;
            calls.set(e.payload.name, n);
            // 'flaky' fails twice (below the limit of 3) once the database is back, then works.
            if (e.payload.name === 'doomed' || n <= 2) throw new Error(`${e.payload.name} ${n}`);
            await record(em, e, 'after the outage');
          },
        },
      });
      runners.push(runner);
      proxy.cut();
      await runner.start();
      const flaky = envelope({ payload: userCreated('flaky') });
      await publish(flaky);
      // Redeliveries while the database is unreachable: far more than maxDeliver.
      await waitFor(() => outcomes.filter((o) => o === 'retry').length >= 6, {
        message: 'redeliveries during the outage',
      });
      expect(calls.get('flaky') ?? 0).toBe(0);
      proxy.restore();
      await waitFor(() => outcomes.includes('handled'), { message: 'success after two failures' });
      expect(calls.get('flaky')).toBe(3);
      expect(outcomes).not.toContain('dead_lettered');
      expect(await effects(flaky.event_id)).toHaveLength(1);
      expect(await deadLetters('outage_then_failure')).toEqual([]);
      // Its failures were forgotten once it was handled.
      expect(
        await f.sql(`select 1 from ${SCHEMA}.consumer_failures where event_id = ?`, [
          flaky.event_id,
        ]),
      ).toEqual([]);

      // Three real failures still dead-letter, with the count in the reason.
      const doomed = envelope({ payload: userCreated('doomed') });
      await publish(doomed);
      await waitFor(() => outcomes.includes('dead_lettered'), { message: 'the dead letter' });
      expect(calls.get('doomed')).toBe(3);
      const [dl] = await deadLetters('outage_then_failure');
      expect(dl.count).toBe(1);
      expect(dl.reason).toMatch(/failed 3 time\(s\) in 3 deliveries: doomed 3/);
      expect(
        await f.sql(`select 1 from ${SCHEMA}.consumer_failures where event_id = ?`, [
          doomed.event_id,
        ]),
      ).toEqual([]);
    } finally {
      await Promise.all(runners.splice(0).map((r) => r.stop()));
      await orm.close(true);
      await proxy.close();
    }
  });

  it('dead-letters a handler that always hits the statement timeout (SQLSTATE 57014)', async () => {
    const outcomes: DeliveryOutcome[] = [];
    let calls = 0;
    await run(
      f.consumer('slow_consumer', { maxDeliver: 2, backoffMs: [20, 40] }),
      {
        [SUBJECT]: async (_e, em) => {
          calls++;
          const sql = em as unknown as SqlEntityManager;
          await sql.execute(`set local statement_timeout = 50`);
          await sql.execute(`select pg_sleep(1)`);
        },
      },
      outcomes,
    );
    await publish(envelope());
    await waitFor(() => outcomes.includes('dead_lettered'), {
      timeoutMs: 15_000,
      message: 'the dead letter',
    });
    expect(calls).toBe(2);
    expect(outcomes).toEqual(['retry', 'dead_lettered']);
    const [dl] = await deadLetters('slow_consumer');
    expect(dl.reason).toMatch(/failed 2 time\(s\) in 2 deliveries: .*statement timeout/);
  });

  it('refuses handlers its filter would never deliver to', () => {
    const consumers = new EventConsumers();
    expect(() =>
      consumers.register(f.consumer('mismatch', { filterSubject: 'ihf.identity.user.locked.v1' }), {
        [SUBJECT]: () => Promise.resolve(),
      }),
    ).toThrow(/would never run/);
    consumers.seal();
    expect(() => consumers.register(f.consumer('late'), {})).toThrow(/after start-up/);
  });
});
