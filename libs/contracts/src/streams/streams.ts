/**
 * JetStream streams, declared once. One stream per producing service captures that service's
 * subjects; interaction events get their own stream with their own retention, and dead letters
 * are kept in IHF_DLQ. Streams are created or updated at start-up by `@ihf/messaging`
 * (never lazily by a subscriber). Subject filters of two streams must not overlap (JetStream
 * refuses it); a unit test checks that every registered subject is captured by exactly one.
 */
export interface StreamDefinition {
  readonly name: string;
  readonly description: string;
  /** Subject filters captured (wildcards allowed). */
  readonly subjects: readonly string[];
  /** How long messages are kept. */
  readonly maxAgeMs: number;
  /** Upper bound on stored bytes (-1: unlimited). */
  readonly maxBytes: number;
  /** Window in which a repeated `Nats-Msg-Id` is dropped as a duplicate. */
  readonly duplicateWindowMs: number;
}

const DAY = 24 * 60 * 60 * 1000;
const MINUTE = 60 * 1000;
const GIB = 1024 ** 3;

export const STREAMS = {
  IHF_IDENTITY: {
    name: 'IHF_IDENTITY',
    description: 'Identity service events: users, lockouts, hub memberships',
    subjects: ['ihf.identity.>'],
    maxAgeMs: 30 * DAY,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_INGESTION: {
    name: 'IHF_INGESTION',
    description:
      'Ingestion registry events: hubs, widgets, contracts, adapter specs, API keys, annotations',
    subjects: [
      'ihf.ingestion.hub.>',
      'ihf.ingestion.widget.>',
      'ihf.ingestion.api_key.>',
      'ihf.ingestion.envelope_contract.>',
      'ihf.ingestion.reporting_contract.>',
      'ihf.ingestion.adapter_spec.>',
      'ihf.ingestion.annotation.>',
      'ihf.ingestion.me_too.>',
    ],
    maxAgeMs: 30 * DAY,
    maxBytes: 2 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_EVENTS: {
    name: 'IHF_EVENTS',
    description: 'High-volume interaction events relayed from ingestion.interaction_events',
    subjects: ['ihf.ingestion.interaction.>'],
    maxAgeMs: 7 * DAY,
    maxBytes: 20 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_FEEDBACK: {
    name: 'IHF_FEEDBACK',
    description: 'Feedback and triage events: annotations, threads, candidates, triage',
    subjects: ['ihf.feedback.>'],
    maxAgeMs: 30 * DAY,
    maxBytes: 2 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_GOVERNANCE: {
    name: 'IHF_GOVERNANCE',
    description: 'Governance events: requirements, decisions, policy and work-item links',
    subjects: ['ihf.governance.>'],
    maxAgeMs: 30 * DAY,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_DEPLOYMENT: {
    name: 'IHF_DEPLOYMENT',
    description: 'Deployment and outcome events',
    subjects: ['ihf.deployment.>'],
    maxAgeMs: 30 * DAY,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_AGENTS: {
    name: 'IHF_AGENTS',
    description: 'Agent proposal and review events',
    subjects: ['ihf.agents.>'],
    maxAgeMs: 30 * DAY,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
  IHF_DLQ: {
    name: 'IHF_DLQ',
    description: 'Dead letters: messages a consumer gave up on, with the reason in headers',
    subjects: ['ihf.dlq.>'],
    maxAgeMs: 90 * DAY,
    maxBytes: 1 * GIB,
    duplicateWindowMs: 10 * MINUTE,
  },
} as const satisfies Record<string, StreamDefinition>;

export type StreamName = keyof typeof STREAMS;

/** Subject a consumer's dead letters are published on (captured by IHF_DLQ). */
export function deadLetterSubject(durable: string): string {
  return `ihf.dlq.${durable}`;
}

/** True when `subject` (no wildcards) matches the NATS subject `filter` (with `*` and `>`). */
export function subjectMatches(filter: string, subject: string): boolean {
  const f = filter.split('.');
  const s = subject.split('.');
  for (let i = 0; i < f.length; i++) {
    if (f[i] === '>') return s.length > i;
    if (i >= s.length) return false;
    if (f[i] !== '*' && f[i] !== s[i]) return false;
  }
  return f.length === s.length;
}

/** The stream that captures `subject`, or undefined. */
export function streamForSubject(subject: string): StreamDefinition | undefined {
  return Object.values(STREAMS).find((stream) =>
    stream.subjects.some((f) => subjectMatches(f, subject)),
  );
}

/**
 * A bus namespace isolates one deployment's streams and subjects from another's on a shared
 * NATS server (each test file gets its own; production uses none). With namespace `t1a2b`,
 * `IHF_FEEDBACK` becomes `T1A2B_IHF_FEEDBACK` and `ihf.feedback.x.y.v1` becomes
 * `t1a2b.ihf.feedback.x.y.v1`. Envelopes keep the logical subject in `type`.
 */
export interface BusNamespace {
  readonly namespace: string;
}

const NAMESPACE_PATTERN = /^[a-z][a-z0-9_]{0,31}$/;

/** Checks a namespace (empty means none). */
export function assertNamespace(namespace: string): void {
  if (namespace !== '' && !NAMESPACE_PATTERN.test(namespace)) {
    throw new Error(`Invalid bus namespace '${namespace}': lower-case letters, digits, _ (max 32)`);
  }
}

/** The stream name on the server for a logical stream name. */
export function physicalStreamName(namespace: string, stream: string): string {
  return namespace ? `${namespace.toUpperCase()}_${stream}` : stream;
}

/** The subject (or subject filter) on the server for a logical one. */
export function physicalSubject(namespace: string, subject: string): string {
  return namespace ? `${namespace}.${subject}` : subject;
}

/** The logical subject of a subject seen on the server. */
export function logicalSubject(namespace: string, subject: string): string {
  const prefix = `${namespace}.`;
  return namespace && subject.startsWith(prefix) ? subject.slice(prefix.length) : subject;
}
