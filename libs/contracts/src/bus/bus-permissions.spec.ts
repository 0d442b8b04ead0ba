import {
  agentBusAccess,
  CONSUMERS,
  DLQ_OPERATOR_USER,
  ORDERED_READERS,
  INTERNAL_AGENT_USER,
  RPC_CALLERS,
  RpcPatterns,
  STREAMS,
  SUBJECT_OWNERS,
  allSubjects,
  busPermissions,
  busServices,
  deadLetterSubject,
  servicePermissions,
  streamOwner,
  subjectMatches,
  subjectOwner,
  type BusPermissions,
  type ConsumerDefinition,
} from '../index.js';

/** Whether `p` may publish the concrete `subject` (deny wins, as in nats-server). */
function mayPublish(p: BusPermissions, subject: string): boolean {
  return (
    p.publish.allow.some((f) => subjectMatches(f, subject)) &&
    !p.publish.deny.some((f) => subjectMatches(f, subject))
  );
}

const rpcPatterns = Object.values(RpcPatterns).flatMap((g) => Object.values(g) as string[]);
const consumers = Object.values(CONSUMERS) as ConsumerDefinition[];

describe('bus permissions generated from the contracts', () => {
  it('knows the owner of every subject, stream (but the DLQ) and request/reply pattern', () => {
    const services = Object.values(SUBJECT_OWNERS);
    for (const subject of allSubjects())
      expect([subject, services.includes(subjectOwner(subject)!)]).toEqual([subject, true]);
    for (const stream of Object.values(STREAMS)) {
      if (stream.name === 'IHF_DLQ') expect(streamOwner(stream)).toBeUndefined();
      else
        expect([stream.name, services.includes(streamOwner(stream)!)]).toEqual([stream.name, true]);
    }
    for (const pattern of rpcPatterns) {
      expect(Object.values(SUBJECT_OWNERS)).toContain(subjectOwner(pattern));
      // A pattern nobody may call is a contract nobody can use: list its callers.
      expect([pattern, (RPC_CALLERS[pattern]?.length ?? 0) > 0]).toEqual([pattern, true]);
    }
    expect(busServices()).toEqual(
      expect.arrayContaining([...new Set(consumers.map((c) => c.service))]),
    );
  });

  it('lets exactly the owner publish each event subject (the DLQ command replays any)', () => {
    const users = busPermissions('');
    for (const subject of allSubjects()) {
      const publishers = users
        .filter((u) => mayPublish(u, subject))
        .map((u) => u.user)
        .sort();
      expect({ subject, publishers }).toEqual({
        subject,
        publishers: [DLQ_OPERATOR_USER, subjectOwner(subject)].sort(),
      });
    }
  });

  it("gives each consumer its own durable only, with its declared filter, and never another service's", () => {
    const users = busPermissions('');
    for (const c of consumers) {
      const create = `$JS.API.CONSUMER.CREATE.${c.stream}.${c.durable}.${c.filterSubject}`;
      const widened = `$JS.API.CONSUMER.CREATE.${c.stream}.${c.durable}.${c.filterSubject.replace(/\.[^.]+\.>$/, '.>')}`;
      const pull = `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`;
      const del = `$JS.API.CONSUMER.DELETE.${c.stream}.${c.durable}`;
      const ack = `$JS.ACK.${c.stream}.${c.durable}.1.2.3.4.5`;
      for (const u of users) {
        const own = u.user === c.service;
        expect({
          user: u.user,
          durable: c.durable,
          create: mayPublish(u, create),
          pull: mayPublish(u, pull),
          ack: mayPublish(u, ack),
          delete: mayPublish(u, del),
        }).toEqual({
          user: u.user,
          durable: c.durable,
          create: own,
          pull: own,
          ack: own,
          delete: false,
        });
        if (widened !== create) expect(mayPublish(u, widened)).toBe(false);
      }
      expect(mayPublish(servicePermissions(c.service), deadLetterSubject(c.durable))).toBe(true);
    }
  });

  it('lets an ordered reader create, pull and delete consumers of its own on the stream it reads, and nobody else', () => {
    const users = busPermissions('');
    for (const r of Object.values(ORDERED_READERS)) {
      const create = `$JS.API.CONSUMER.CREATE.${r.stream}.oc_x1y2.${r.filterSubject}`;
      const pull = `$JS.API.CONSUMER.MSG.NEXT.${r.stream}.oc_x1y2`;
      const del = `$JS.API.CONSUMER.DELETE.${r.stream}.oc_x1y2`;
      for (const u of users) {
        const mayRead = u.user === r.service || streamOwner(STREAMS[r.stream]) === u.user;
        if (u.user === INTERNAL_AGENT_USER || u.user === DLQ_OPERATOR_USER) continue;
        expect({ user: u.user, create: mayPublish(u, create), pull: mayPublish(u, pull) }).toEqual({
          user: u.user,
          create: mayRead,
          pull: mayRead,
        });
        if (mayRead) expect(mayPublish(u, del)).toBe(true);
      }
      // Never another service's durable on that stream.
      for (const c of consumers.filter((c) => c.stream === r.stream && c.service !== r.service)) {
        const reader = servicePermissions(r.service);
        expect(mayPublish(reader, `$JS.API.CONSUMER.MSG.NEXT.${c.stream}.${c.durable}`)).toBe(
          false,
        );
        expect(mayPublish(reader, `$JS.ACK.${c.stream}.${c.durable}.1.2.3.4.5`)).toBe(false);
      }
    }
  });

  it("lets a service manage its own streams but not delete them, and nobody touch another service's", () => {
    const users = busPermissions('');
    for (const stream of Object.values(STREAMS)) {
      const owner = streamOwner(stream);
      for (const u of users) {
        expect({
          user: u.user,
          stream: stream.name,
          update: mayPublish(u, `$JS.API.STREAM.UPDATE.${stream.name}`),
        }).toEqual({
          user: u.user,
          stream: stream.name,
          update: u.user === owner,
        });
        expect(mayPublish(u, `$JS.API.STREAM.DELETE.${stream.name}`)).toBe(false);
        expect(mayPublish(u, `$JS.API.STREAM.PURGE.${stream.name}`)).toBe(false);
      }
    }
  });

  it('lets only the listed callers send a request/reply pattern, and only its owner answer it', () => {
    for (const u of busPermissions('')) {
      for (const pattern of rpcPatterns) {
        expect(mayPublish(u, pattern)).toBe(RPC_CALLERS[pattern].includes(u.user));
        expect(u.subscribe.allow.includes(pattern)).toBe(subjectOwner(pattern) === u.user);
      }
      expect(u.allowResponses).toBe(rpcPatterns.some((p) => subjectOwner(p) === u.user));
      // Replies only on its own inbox prefix.
      expect(u.subscribe.allow.filter((s) => s.startsWith('_INBOX'))).toEqual([
        `_INBOX_${u.user}.>`,
      ]);
    }
  });

  it('gives internal agents no publishing on the event subjects and no identity or DLQ stream', () => {
    const agent = busPermissions('').find((u) => u.user === INTERNAL_AGENT_USER)!;
    for (const subject of allSubjects()) expect(mayPublish(agent, subject)).toBe(false);
    expect(mayPublish(agent, '$JS.API.STREAM.INFO.IHF_FEEDBACK')).toBe(true);
    expect(mayPublish(agent, '$JS.API.STREAM.INFO.IHF_IDENTITY')).toBe(false);
    expect(mayPublish(agent, '$JS.API.STREAM.INFO.IHF_DLQ')).toBe(false);
    expect(mayPublish(agent, '$JS.API.CONSUMER.CREATE.IHF_FEEDBACK.agent_1.ihf.feedback.>')).toBe(
      true,
    );
    expect(
      mayPublish(
        agent,
        `$JS.API.CONSUMER.MSG.NEXT.IHF_FEEDBACK.${CONSUMERS.governance_feedback_candidates.durable}`,
      ),
    ).toBe(false);
  });

  it('places everything in the bus namespace, so tests get the same rules on a shared server', () => {
    const feedback = servicePermissions('feedback', 't1a2b');
    expect(mayPublish(feedback, 't1a2b.ihf.feedback.candidate.created.v1')).toBe(true);
    expect(mayPublish(feedback, 'ihf.feedback.candidate.created.v1')).toBe(false);
    expect(mayPublish(feedback, '$JS.API.STREAM.UPDATE.T1A2B_IHF_FEEDBACK')).toBe(true);
    expect(mayPublish(feedback, '$JS.API.STREAM.UPDATE.IHF_FEEDBACK')).toBe(false);
    expect(
      mayPublish(
        feedback,
        '$JS.API.CONSUMER.CREATE.T1A2B_IHF_GOVERNANCE.feedback__governance.t1a2b.ihf.governance.requirement.>',
      ),
    ).toBe(true);
    expect(feedback.subscribe.allow).toContain('t1a2b.ihf.rpc.feedback.candidate.get.v1');
  });

  it('says how agents may receive each subject (for the AsyncAPI document)', () => {
    expect(agentBusAccess('ihf.feedback.candidate.created.v1')).toEqual({
      internalAgents: 'bus-read-only',
      externalAgents: 'webhooks-and-http-only',
    });
    expect(agentBusAccess('ihf.identity.user.created.v1').internalAgents).toBe('none');
    expect(agentBusAccess(deadLetterSubject('feedback__agents')).internalAgents).toBe('none');
  });
});
