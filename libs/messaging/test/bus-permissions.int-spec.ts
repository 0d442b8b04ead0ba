import { randomUUID } from 'node:crypto';
import { jetstream, jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { headers as natsHeaders, type NatsConnection } from '@nats-io/nats-core';
import {
  CONSUMERS,
  EVENT_EXAMPLES,
  INTERNAL_AGENT_USER,
  RPC_CALLERS,
  RpcPatterns,
  STREAMS,
  allSubjects,
  busPermissions,
  busServices,
  deadLetterSubject,
  physicalStreamName,
  physicalSubject,
  streamOwner,
  subjectMatches,
  subjectOwner,
  type BusPermissions,
  type ConsumerDefinition,
  type StreamName,
} from '@ihf/contracts';
import {
  BatchPublisher,
  BusPermissionError,
  ConsumerRunner,
  MessageRefusedError,
  PermissionWatch,
  RpcClient,
  connectNats,
  credentialEnv,
  natsAuthorizationConfig,
  natsSecurityOptions,
  newCredential,
  provisionConsumers,
  provisionStreams,
  type BusCredential,
} from '@ihf/messaging';
import { startNatsServer, waitFor, type NatsServerProcess } from '@ihf/testing';

/**
 * The generated permissions on a nats-server of this test's own (the machine's binary, a free
 * loopback port, the generated authorization config), in a bus namespace: every service's
 * flows work with its own user, and nothing more does.
 */
const NS = `bp${randomUUID().slice(0, 8)}`;
const ADMIN: BusPermissions = {
  user: 'test-admin',
  description: 'this test, to look',
  publish: { allow: ['>'], deny: [] },
  subscribe: { allow: ['>'], deny: [] },
  allowResponses: false,
};

let server: NatsServerProcess;
const credentials = new Map<string, BusCredential>();
const connections = new Map<string, NatsConnection>();
let admin: JetStreamManager;

function security(user: string) {
  return natsSecurityOptions(user, credentialEnv(credentials.get(user)!));
}

/** A connection as `user` (one per user, closed at the end). */
async function as(user: string): Promise<NatsConnection> {
  let nc = connections.get(user);
  if (!nc) {
    nc = await connectNats(server.url, user, security(user));
    PermissionWatch.of(nc);
    connections.set(user, nc);
  }
  return nc;
}

const stream = (name: StreamName) => physicalStreamName(NS, STREAMS[name].name);
const consumers = Object.values(CONSUMERS) as ConsumerDefinition[];

function envelope(subject: string) {
  return {
    event_id: randomUUID(),
    type: subject,
    version: 1,
    occurred_at: new Date().toISOString(),
    producer: subjectOwner(subject),
    correlation_id: randomUUID(),
    causation_id: null,
    hub_id: null,
    payload: (EVENT_EXAMPLES as Record<string, unknown>)[subject],
  };
}

beforeAll(async () => {
  const permissions = [...busPermissions(NS), ADMIN];
  for (const p of permissions) credentials.set(p.user, newCredential(p.user, 'password'));
  server = await startNatsServer({ config: natsAuthorizationConfig(permissions, credentials) });
  admin = await jetstreamManager(await as(ADMIN.user));
});

afterAll(async () => {
  for (const nc of connections.values()) await nc.close().catch(() => undefined);
  await server?.stop();
});

describe('generated bus permissions: every service with its own user', () => {
  it('provisions its streams and consumers, publishes its subjects, consumes, dead-letters and calls its RPCs', async () => {
    const services = busServices();
    expect(services).toEqual(expect.arrayContaining(['feedback', 'governance', 'ingestion']));
    // Owners first: a consumer may only check that a stream exists, not create it.
    for (const service of services) {
      const owned = Object.values(STREAMS).filter((s) => streamOwner(s) === service);
      await provisionStreams(await jetstreamManager(await as(service)), NS, owned, 'owner');
    }
    for (const service of services) {
      const own = consumers.filter((c) => c.service === service);
      const jsm = await jetstreamManager(await as(service));
      const read = [...new Set(own.map((c) => c.stream))].map((s) => STREAMS[s]);
      await provisionStreams(jsm, NS, own.length ? [...read, STREAMS.IHF_DLQ] : read, 'ensure');
      await provisionConsumers(jsm, NS, own);
    }

    // Every subject of the contracts, by its owner, the way the relays publish.
    for (const subject of allSubjects()) {
      const owner = subjectOwner(subject)!;
      const publisher = new BatchPublisher(await as(owner));
      const e = envelope(subject);
      const h = natsHeaders();
      h.set('Nats-Msg-Id', e.event_id);
      await publisher.publishAll(
        [{ subject: physicalSubject(NS, subject), data: JSON.stringify(e), headers: h }],
        10_000,
      );
      publisher.close();
    }

    // Every consumer pulls and acknowledges what its filter captures, and can dead-letter.
    for (const c of consumers) {
      const js = jetstream(await as(c.service));
      const consumer = await js.consumers.get(stream(c.stream), c.durable);
      if (allSubjects().some((s) => subjectMatches(c.filterSubject, s))) {
        const batch = await consumer.fetch({ max_messages: 1, expires: 5_000 });
        let got = 0;
        for await (const msg of batch) {
          got++;
          await msg.ackAck();
        }
        expect({ durable: c.durable, got }).toEqual({ durable: c.durable, got: 1 });
      }
      await js.publish(physicalSubject(NS, deadLetterSubject(c.durable)), 'dead', {
        msgID: randomUUID(),
      });
    }

    // Every request/reply pattern: served by its owner (queue group), called by its callers.
    const patterns = Object.values(RpcPatterns).flatMap((g) => Object.values(g) as string[]);
    for (const pattern of patterns) {
      const owner = await as(subjectOwner(pattern)!);
      const sub = owner.subscribe(physicalSubject(NS, pattern), {
        queue: subjectOwner(pattern),
        callback: (_e, msg) => {
          const packet = msg.json<{ id: string; data: unknown }>();
          msg.respond(JSON.stringify({ id: packet.id, response: { pattern }, isDisposed: true }));
        },
      });
      await owner.flush();
      for (const caller of RPC_CALLERS[pattern] ?? []) {
        const client = new RpcClient(
          { natsUrl: server.url, service: caller, namespace: NS, security: security(caller) },
          10_000,
        );
        await client.connect();
        try {
          await expect(client.request(pattern, { widget_id: randomUUID() })).resolves.toEqual({
            pattern,
          });
        } finally {
          await client.close();
        }
      }
      sub.unsubscribe();
    }

    // Nothing above was refused.
    for (const [user, nc] of connections) {
      expect({ user, refused: PermissionWatch.of(nc).recent(60_000) }).toEqual({
        user,
        refused: [],
      });
    }
  });
});

describe('generated bus permissions: what a service may not do', () => {
  const refused = /Permissions Violation/;

  it("cannot publish another service's subject (a forged event), and the relay's publisher says why at once", async () => {
    const js = jetstream(await as('feedback'));
    const forged = physicalSubject(NS, 'ihf.governance.requirement.promoted.v1');
    await expect(js.publish(forged, 'x')).rejects.toThrow(refused);
    await expect(
      js.publish(physicalSubject(NS, 'ihf.agents.proposal.accepted.v1'), 'x'),
    ).rejects.toThrow(refused);

    const publisher = new BatchPublisher(await as('feedback'));
    const started = Date.now();
    const [outcome] = await publisher.publishEach(
      [{ subject: forged, data: '{}', headers: natsHeaders() }],
      20_000,
    );
    publisher.close();
    expect(outcome).toBeInstanceOf(MessageRefusedError);
    expect(outcome?.message).toMatch(
      /NATS refused publish on .*requirement\.promoted.*permissions/,
    );
    // Refused, not waited out as an outage.
    expect(Date.now() - started).toBeLessThan(15_000);
  });

  it("cannot create, change or delete another service's stream, nor create a missing one it reads", async () => {
    const jsm = await jetstreamManager(await as('feedback'));
    await expect(jsm.streams.delete(stream('IHF_GOVERNANCE'))).rejects.toThrow(refused);
    await expect(jsm.streams.update(stream('IHF_GOVERNANCE'), { max_msgs: 1 })).rejects.toThrow(
      refused,
    );
    await expect(
      jsm.streams.add({ name: physicalStreamName(NS, 'IHF_ROGUE'), subjects: [`${NS}.rogue.>`] }),
    ).rejects.toThrow(refused);
    // Not even its own stream can it delete or purge (an operator's act).
    await expect(jsm.streams.delete(stream('IHF_FEEDBACK'))).rejects.toThrow(refused);
    await expect(jsm.streams.purge(stream('IHF_FEEDBACK'))).rejects.toThrow(refused);
    expect((await admin.streams.info(stream('IHF_GOVERNANCE'))).config.max_msgs).toBe(-1);

    // A consumer's stream that is missing waits for its owner, with a message that says so.
    await admin.streams.delete(stream('IHF_AGENTS'));
    const governance = await jetstreamManager(await as('governance'));
    await expect(provisionStreams(governance, NS, [STREAMS.IHF_AGENTS], 'ensure')).rejects.toThrow(
      /Stream IHF_AGENTS is missing and this service may not create it: its owner creates it/,
    );
    await provisionStreams(
      await jetstreamManager(await as('agent-proposals')),
      NS,
      [STREAMS.IHF_AGENTS],
      'owner',
    );
    await provisionConsumers(
      governance,
      NS,
      consumers.filter((c) => c.service === 'governance' && c.stream === 'IHF_AGENTS'),
    );
  });

  it("cannot delete, take over or pull another service's consumer, even on its own stream", async () => {
    const nc = await as('feedback');
    const jsm = await jetstreamManager(nc);
    const theirs = CONSUMERS.governance_feedback_candidates;
    await expect(jsm.consumers.delete(stream('IHF_FEEDBACK'), theirs.durable)).rejects.toThrow(
      refused,
    );
    await expect(
      jsm.consumers.add(stream('IHF_FEEDBACK'), {
        durable_name: theirs.durable,
        filter_subject: physicalSubject(NS, 'ihf.feedback.>'),
      }),
    ).rejects.toThrow(refused);
    await expect(
      nc.request(`$JS.API.CONSUMER.MSG.NEXT.${stream('IHF_FEEDBACK')}.${theirs.durable}`, '1'),
    ).rejects.toThrow(refused);
    expect((await admin.consumers.info(stream('IHF_FEEDBACK'), theirs.durable)).name).toBe(
      theirs.durable,
    );
    // And a consumer the service runs refuses to start under a user that is not its own.
    const runner = new ConsumerRunner({
      definition: CONSUMERS.feedback_identity,
      handlers: {},
      orm: undefined as never, // never reached: starting fails first
      schema: 'unused',
      js: jetstream(await as('identity')),
      namespace: NS,
    });
    await expect(runner.start()).rejects.toThrow(refused);
  });

  it('cannot read a stream, or part of a stream, it does not consume', async () => {
    const nc = await as('governance');
    const jsm = await jetstreamManager(nc);
    // Governance consumes ingestion's widget events, not its annotations or API keys.
    await expect(
      jsm.consumers.add(stream('IHF_INGESTION'), {
        durable_name: CONSUMERS.governance_ingestion_widgets.durable,
        filter_subject: physicalSubject(NS, 'ihf.ingestion.annotation.>'),
      }),
    ).rejects.toThrow(refused);
    await expect(
      jsm.consumers.add(stream('IHF_INGESTION'), {
        filter_subject: physicalSubject(NS, 'ihf.ingestion.>'),
      }),
    ).rejects.toThrow(refused);
    await expect(jsm.streams.getMessage(stream('IHF_INGESTION'), { seq: 1 })).rejects.toThrow(
      refused,
    );
    await expect(jsm.streams.info(stream('IHF_EVENTS'))).rejects.toThrow(refused);
    // Nor listen on the subjects, nor on another user's replies.
    const watch = PermissionWatch.of(nc);
    nc.subscribe(physicalSubject(NS, 'ihf.ingestion.>'));
    nc.subscribe('_INBOX_feedback.>');
    await nc.flush();
    await waitFor(
      () => watch.recent(60_000).filter((v) => v.operation === 'subscription').length >= 2,
      {
        message: 'two refused subscriptions',
      },
    );
  });

  it('cannot call a request/reply pattern it is not listed for: a BusPermissionError, not "no answer"', async () => {
    const client = new RpcClient(
      { natsUrl: server.url, service: 'identity', namespace: NS, security: security('identity') },
      2_000,
    );
    await client.connect();
    try {
      await expect(
        client.request(RpcPatterns.Ingestion.WidgetGetV1, { widget_id: randomUUID() }),
      ).rejects.toThrow(BusPermissionError);
    } finally {
      await client.close();
    }
  });

  it('gives internal agents read-only access: their own consumers on the allowed streams, no publishing', async () => {
    const nc = await as(INTERNAL_AGENT_USER);
    const js = jetstream(nc);
    const jsm = await jetstreamManager(nc);
    const ordered = await js.consumers.get(stream('IHF_FEEDBACK'));
    const read = await ordered.next({ expires: 5_000 });
    expect(read?.subject).toMatch(new RegExp(`^${NS}\\.ihf\\.feedback\\.`));
    await expect(
      js.publish(physicalSubject(NS, 'ihf.agents.proposal.accepted.v1'), 'x'),
    ).rejects.toThrow(refused);
    await expect(
      nc.request(
        `$JS.API.CONSUMER.MSG.NEXT.${stream('IHF_FEEDBACK')}.${CONSUMERS.governance_feedback_candidates.durable}`,
        '1',
      ),
    ).rejects.toThrow(refused);
    await expect(
      jsm.consumers.delete(
        stream('IHF_FEEDBACK'),
        CONSUMERS.governance_feedback_candidates.durable,
      ),
    ).rejects.toThrow(refused);
    await expect(jsm.streams.info(stream('IHF_IDENTITY'))).rejects.toThrow(refused);
    await expect(jsm.streams.info(stream('IHF_DLQ'))).rejects.toThrow(refused);
  });

  it('lets nobody connect without a generated credential', async () => {
    await expect(
      connectNats(server.url, 'intruder', { inboxPrefix: '_INBOX_intruder' }),
    ).rejects.toThrow(/not reachable|Authorization/i);
    await expect(
      connectNats(
        server.url,
        'feedback',
        natsSecurityOptions('feedback', { NATS_USER: 'feedback', NATS_PASSWORD: 'wrong' }),
      ),
    ).rejects.toThrow(/Authorization/i);
  });
});
