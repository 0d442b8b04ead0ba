import { RpcPatterns } from '../rpc/ingestion.rpc.js';
import {
  CONSUMERS,
  ORDERED_READERS,
  type ConsumerDefinition,
  type OrderedReaderDefinition,
} from '../streams/consumers.js';
import {
  STREAMS,
  subjectMatches as subjectMatchesFilter,
  deadLetterSubject,
  physicalStreamName,
  physicalSubject,
  type StreamDefinition,
  type StreamName,
} from '../streams/streams.js';

/**
 * Who may do what on the bus, derived from the contracts alone: the owner of a subject is named
 * by its second token (`ihf.<owner>.…`, `ihf.rpc.<owner>.…`), the consumers are `CONSUMERS`, and
 * the callers of each request/reply pattern are `RPC_CALLERS`. A service added to the contracts
 * (its streams, consumers and RPC patterns) gets its permissions without touching this file,
 * except for the one line below when its subject token differs from its name.
 */

/** The service that owns `ihf.<token>.…` and `ihf.rpc.<token>.…` (token → service name). */
export const SUBJECT_OWNERS: Readonly<Record<string, string>> = {
  identity: 'identity',
  ingestion: 'ingestion',
  feedback: 'feedback',
  governance: 'governance',
  deployment: 'deployment-outcomes',
  agents: 'agent-proposals',
  notifications: 'notifications',
};

/**
 * The services that call each request/reply pattern (the owner answers it). A pattern nobody
 * is listed for can be served but not called; the contracts spec fails on such a pattern.
 */
export const RPC_CALLERS: Readonly<Record<string, readonly string[]>> = {
  [RpcPatterns.Ingestion.WidgetGetV1]: ['feedback', 'governance'],
  [RpcPatterns.Feedback.CandidateGetV1]: ['governance'],
};

/**
 * Streams internal, trusted agents may read with their read-only credentials (never the
 * dead letters; identity's stream holds personal data and is left out too).
 */
export const INTERNAL_AGENT_STREAMS: readonly StreamName[] = [
  'IHF_INGESTION',
  'IHF_EVENTS',
  'IHF_FEEDBACK',
  'IHF_GOVERNANCE',
  'IHF_DEPLOYMENT',
  'IHF_AGENTS',
];

/**
 * How agents may receive the events of `subject`, for documents such as the AsyncAPI one
 * (`x-ihf-agent-access`): internal, trusted agents read it on the bus with their read-only
 * user when its stream is in `INTERNAL_AGENT_STREAMS`; external agents never use the bus
 * (signed webhooks or the hub-scoped HTTP stream, proposals over HTTP).
 */
export function agentBusAccess(subject: string): {
  readonly internalAgents: 'bus-read-only' | 'none';
  readonly externalAgents: 'webhooks-and-http-only';
} {
  const stream = Object.values(STREAMS).find((s) =>
    s.subjects.some((f) => subjectMatchesFilter(f, subject)),
  );
  const readable = INTERNAL_AGENT_STREAMS.some((name) => STREAMS[name].name === stream?.name);
  return {
    internalAgents: readable ? 'bus-read-only' : 'none',
    externalAgents: 'webhooks-and-http-only',
  };
}

/** The bus user of internal, trusted agents (read-only). */
export const INTERNAL_AGENT_USER = 'internal-agent';

/** Prefix of the reply subjects (inboxes) of a bus user: no user can read another's replies. */
export function inboxPrefix(user: string): string {
  return `_INBOX_${user}`;
}

/** NATS permissions of one bus user (the nats-server `permissions` block). */
export interface BusPermissions {
  readonly user: string;
  /** Why this user exists, for the generated config's comment. */
  readonly description: string;
  readonly publish: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  readonly subscribe: { readonly allow: readonly string[]; readonly deny: readonly string[] };
  /** May answer requests it received (request/reply servers), nothing more. */
  readonly allowResponses: boolean;
}

/** The owning service of a subject or subject filter (`ihf.<token>.…`), if any. */
export function subjectOwner(subject: string): string | undefined {
  const tokens = subject.split('.');
  if (tokens[0] !== 'ihf') return undefined;
  const token = tokens[1] === 'rpc' ? tokens[2] : tokens[1];
  return SUBJECT_OWNERS[token];
}

/** The service owning a stream: the owner of all its subject filters (none for IHF_DLQ). */
export function streamOwner(stream: StreamDefinition): string | undefined {
  const owners = new Set(stream.subjects.map(subjectOwner));
  return owners.size === 1 ? [...owners][0] : undefined;
}

function allRpcPatterns(): string[] {
  return Object.values(RpcPatterns).flatMap((group) => Object.values(group) as string[]);
}

/** Every service that appears in the contracts as a stream owner, consumer, RPC owner or caller. */
export function busServices(): string[] {
  const services = new Set<string>();
  for (const stream of Object.values(STREAMS)) {
    const owner = streamOwner(stream);
    if (owner) services.add(owner);
  }
  for (const c of Object.values(CONSUMERS) as ConsumerDefinition[]) services.add(c.service);
  for (const pattern of allRpcPatterns()) {
    const owner = subjectOwner(pattern);
    if (owner) services.add(owner);
  }
  for (const callers of Object.values(RPC_CALLERS)) for (const c of callers) services.add(c);
  return [...services].sort();
}

const API = '$JS.API';

/**
 * The permissions of one service in a bus namespace ('' in production): publish its own
 * subjects, call the RPC patterns it is listed for and answer its own; manage its own streams
 * (never delete them) and its own durable consumers; pull and acknowledge from its consumers;
 * dead-letter for them; read replies on its own inbox prefix only.
 */
export function servicePermissions(service: string, namespace = ''): BusPermissions {
  const subject = (s: string) => physicalSubject(namespace, s);
  const stream = (s: string) => physicalStreamName(namespace, s);
  const consumers = Object.values(CONSUMERS) as ConsumerDefinition[];
  const pubAllow = new Set<string>([`${API}.INFO`, `${API}.STREAM.NAMES`]);
  const pubDeny = new Set<string>();
  const subAllow = new Set<string>([`${inboxPrefix(service)}.>`]);

  for (const def of Object.values(STREAMS)) {
    if (streamOwner(def) !== service) continue;
    const name = stream(def.name);
    for (const filter of def.subjects) pubAllow.add(subject(filter));
    for (const op of ['INFO', 'CREATE', 'UPDATE', 'MSG.GET'])
      pubAllow.add(`${API}.STREAM.${op}.${name}`);
    // Ordered (ephemeral) consumers on its own streams: the relays' reconciliation reads them.
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}`);
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}.>`);
    for (const op of ['INFO', 'DELETE', 'MSG.NEXT'])
      pubAllow.add(`${API}.CONSUMER.${op}.${name}.*`);
    // …but never another service's durable consumer on them.
    for (const other of consumers) {
      if (other.stream !== def.name || other.service === service) continue;
      for (const op of ['CREATE', 'INFO', 'DELETE', 'MSG.NEXT']) {
        pubDeny.add(`${API}.CONSUMER.${op}.${name}.${other.durable}`);
      }
      pubDeny.add(`${API}.CONSUMER.CREATE.${name}.${other.durable}.>`);
      pubDeny.add(`$JS.ACK.${name}.${other.durable}.>`);
    }
  }

  const own = consumers.filter((c) => c.service === service);
  for (const c of own) {
    const name = stream(STREAMS[c.stream].name);
    // It may check that the stream exists; creating it is its owner's job.
    pubAllow.add(`${API}.STREAM.INFO.${name}`);
    pubAllow.add(`${API}.CONSUMER.INFO.${name}.${c.durable}`);
    // Only with its declared filter: it cannot widen its consumer to read more of the stream.
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}.${c.durable}.${subject(c.filterSubject)}`);
    pubAllow.add(`${API}.CONSUMER.MSG.NEXT.${name}.${c.durable}`);
    pubAllow.add(`$JS.ACK.${name}.${c.durable}.>`);
    pubAllow.add(subject(deadLetterSubject(c.durable)));
  }
  // Ordered readers of another service's stream: consumers of their own (server-named, so any
  // name), but never one of another service's durables.
  const readers = (Object.values(ORDERED_READERS) as OrderedReaderDefinition[]).filter(
    (r) => r.service === service,
  );
  for (const r of readers) {
    const name = stream(STREAMS[r.stream].name);
    pubAllow.add(`${API}.STREAM.INFO.${name}`);
    // A server-named consumer: with its declared filter in the subject (nats-server 2.9), or
    // with the filter in the request only (2.10 clients; the filter is then not enforced here).
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}`);
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}.*`);
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}.*.${subject(r.filterSubject)}`);
    for (const op of ['INFO', 'DELETE', 'MSG.NEXT'])
      pubAllow.add(`${API}.CONSUMER.${op}.${name}.*`);
    for (const other of consumers) {
      if (other.stream !== r.stream) continue;
      // No declared durable is ever deleted by a service, its own included.
      pubDeny.add(`${API}.CONSUMER.DELETE.${name}.${other.durable}`);
      if (other.service === service) continue;
      for (const op of ['CREATE', 'INFO', 'MSG.NEXT'])
        pubDeny.add(`${API}.CONSUMER.${op}.${name}.${other.durable}`);
      pubDeny.add(`${API}.CONSUMER.CREATE.${name}.${other.durable}.>`);
      pubDeny.add(`$JS.ACK.${name}.${other.durable}.>`);
    }
  }

  if (own.length) {
    // The dead-letter stream belongs to no service: any consumer may create it when missing.
    const dlq = stream(STREAMS.IHF_DLQ.name);
    pubAllow.add(`${API}.STREAM.INFO.${dlq}`);
    pubAllow.add(`${API}.STREAM.CREATE.${dlq}`);
  }

  let serves = false;
  for (const pattern of allRpcPatterns()) {
    if (subjectOwner(pattern) === service) {
      subAllow.add(subject(pattern));
      serves = true;
    }
    if (RPC_CALLERS[pattern]?.includes(service)) pubAllow.add(subject(pattern));
  }

  return {
    user: service,
    description: `service ${service}`,
    publish: { allow: [...pubAllow], deny: [...pubDeny] },
    subscribe: { allow: [...subAllow], deny: [] },
    allowResponses: serves,
  };
}

/**
 * The read-only permissions of internal, trusted agents: they may read `INTERNAL_AGENT_STREAMS`
 * through consumers of their own (ordered or durable, never a service's) and publish nothing on
 * `ihf.>`. External agents get no bus credentials at all (webhooks and HTTP only).
 */
export function internalAgentPermissions(namespace = ''): BusPermissions {
  const pubAllow = new Set<string>([`${API}.INFO`, `${API}.STREAM.NAMES`]);
  const pubDeny = new Set<string>();
  const consumers = Object.values(CONSUMERS) as ConsumerDefinition[];
  for (const s of INTERNAL_AGENT_STREAMS) {
    const name = physicalStreamName(namespace, STREAMS[s].name);
    pubAllow.add(`${API}.STREAM.INFO.${name}`);
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}`);
    pubAllow.add(`${API}.CONSUMER.CREATE.${name}.>`);
    for (const op of ['INFO', 'DELETE', 'MSG.NEXT'])
      pubAllow.add(`${API}.CONSUMER.${op}.${name}.*`);
    pubAllow.add(`$JS.ACK.${name}.>`);
    for (const c of consumers) {
      if (c.stream !== s) continue;
      for (const op of ['CREATE', 'INFO', 'DELETE', 'MSG.NEXT']) {
        pubDeny.add(`${API}.CONSUMER.${op}.${name}.${c.durable}`);
      }
      pubDeny.add(`${API}.CONSUMER.CREATE.${name}.${c.durable}.>`);
      pubDeny.add(`$JS.ACK.${name}.${c.durable}.>`);
    }
  }
  return {
    user: INTERNAL_AGENT_USER,
    description: 'internal, trusted agents: read-only',
    publish: { allow: [...pubAllow], deny: [...pubDeny] },
    subscribe: { allow: [`${inboxPrefix(INTERNAL_AGENT_USER)}.>`], deny: [] },
    allowResponses: false,
  };
}

/** The bus user of the dead-letter command (`npm run dlq`), an operator's tool. */
export const DLQ_OPERATOR_USER = 'ihf-dlq';

/**
 * The dead-letter command's permissions: read and delete dead letters, and replay them on the
 * subject they were consumed from (an operator's decision, so it may publish any event subject).
 */
export function dlqOperatorPermissions(namespace = ''): BusPermissions {
  const dlq = physicalStreamName(namespace, STREAMS.IHF_DLQ.name);
  const subjects = Object.values(STREAMS)
    .filter((s) => s.name !== STREAMS.IHF_DLQ.name)
    .flatMap((s) => s.subjects.map((f) => physicalSubject(namespace, f)));
  return {
    user: DLQ_OPERATOR_USER,
    description: 'the dead-letter command (npm run dlq): list, replay, discard',
    publish: {
      allow: [
        `${API}.INFO`,
        ...['INFO', 'MSG.GET', 'MSG.DELETE'].map((op) => `${API}.STREAM.${op}.${dlq}`),
        ...subjects,
      ],
      deny: [],
    },
    subscribe: { allow: [`${inboxPrefix(DLQ_OPERATOR_USER)}.>`], deny: [] },
    allowResponses: false,
  };
}

/**
 * Every bus user of the platform in a namespace: one per service, internal agents and the
 * dead-letter command. External agents have none (signed webhooks and HTTP only).
 */
export function busPermissions(namespace = ''): BusPermissions[] {
  return [
    ...busServices().map((s) => servicePermissions(s, namespace)),
    internalAgentPermissions(namespace),
    dlqOperatorPermissions(namespace),
  ];
}
