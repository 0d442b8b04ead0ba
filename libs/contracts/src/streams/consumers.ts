import type { StreamName } from './streams.js';

/**
 * A durable JetStream consumer, named after the consuming service and shared by all its
 * replicas. Created or updated at start-up by `@ihf/messaging` from these definitions.
 */
export interface ConsumerDefinition {
  /** Durable name: `<service>__<purpose>` (letters, digits, `_`, `-`; no dots). */
  readonly durable: string;
  /** The consuming service (used in logs, metrics and the inbox table). */
  readonly service: string;
  readonly stream: StreamName;
  /** One subject filter (nats-server 2.9 supports a single filter per consumer). */
  readonly filterSubject: string;
  /** Deliveries before a message is dead-lettered with its last error. */
  readonly maxDeliver: number;
  /** How long a delivery may stay unacknowledged before redelivery. */
  readonly ackWaitMs: number;
  /** Delay before the n-th redelivery after a retryable failure (last value repeats). */
  readonly backoffMs: readonly number[];
  /** Messages in flight per consumer across replicas. */
  readonly maxAckPending: number;
  /** Where a new consumer starts: the whole stream, or only new messages. */
  readonly deliverPolicy: 'all' | 'new';
}

/** Defaults that suit most consumers; spread them and override what differs. */
export const CONSUMER_DEFAULTS = {
  maxDeliver: 8,
  ackWaitMs: 30_000,
  backoffMs: [1_000, 5_000, 15_000, 60_000, 300_000],
  maxAckPending: 1_000,
  deliverPolicy: 'all',
} as const satisfies Partial<ConsumerDefinition>;

/**
 * Every durable consumer of the platform. Services add theirs here when they start consuming
 * another service's events, so that what listens to what is visible in one place.
 */
export const CONSUMERS = {
  /** Feedback's widget read model (registered, updated, status_changed). */
  feedback_ingestion_widgets: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__ingestion_widgets',
    service: 'feedback',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.widget.>',
  },
  /** Annotations submitted by external UIs through ingestion's reporting API. */
  feedback_ingestion_annotations: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__ingestion_annotations',
    service: 'feedback',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.annotation.>',
  },
  /** End users' "me too" votes, submitted through ingestion's reporting API (issue 16). */
  feedback_ingestion_me_too: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__ingestion_me_too',
    service: 'feedback',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.me_too.>',
  },
  /** Feedback's read model of users' roles and hubs (reviewer checks). */
  feedback_identity: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__identity',
    service: 'feedback',
    stream: 'IHF_IDENTITY',
    filterSubject: 'ihf.identity.>',
  },
  /** Promotions of candidates into requirements. */
  feedback_governance: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__governance',
    service: 'feedback',
    stream: 'IHF_GOVERNANCE',
    filterSubject: 'ihf.governance.requirement.>',
  },
  /** Accepted agent proposals (duplicate flags, requirement drafts). */
  feedback_agents: {
    ...CONSUMER_DEFAULTS,
    durable: 'feedback__agents',
    service: 'feedback',
    stream: 'IHF_AGENTS',
    filterSubject: 'ihf.agents.proposal.>',
  },
  /** Governance's candidate read model (created, status changes) for promotion and traces. */
  governance_feedback_candidates: {
    ...CONSUMER_DEFAULTS,
    durable: 'governance__feedback_candidates',
    service: 'governance',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.candidate.>',
  },
  /** Governance's widget read model (names and versions in traces, decision-log filter). */
  governance_ingestion_widgets: {
    ...CONSUMER_DEFAULTS,
    durable: 'governance__ingestion_widgets',
    service: 'governance',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.widget.>',
  },
  /** Governance's read model of users (names of deciders, deactivation). */
  governance_identity: {
    ...CONSUMER_DEFAULTS,
    durable: 'governance__identity',
    service: 'governance',
    stream: 'IHF_IDENTITY',
    filterSubject: 'ihf.identity.>',
  },
  /** Accepted agent proposals (policy flags, implementation proposals). */
  governance_agents: {
    ...CONSUMER_DEFAULTS,
    durable: 'governance__agents',
    service: 'governance',
    stream: 'IHF_AGENTS',
    filterSubject: 'ihf.agents.proposal.>',
  },
  // --- deployment-outcomes (issue 13) ---
  /** Decisions, requirements and work items for the lineage of a deployment. */
  deployment_governance: {
    ...CONSUMER_DEFAULTS,
    durable: 'deployment__governance',
    service: 'deployment-outcomes',
    stream: 'IHF_GOVERNANCE',
    filterSubject: 'ihf.governance.>',
  },
  /** Candidates (source widget, annotation, thread) for the lineage of a deployment. */
  deployment_feedback_candidates: {
    ...CONSUMER_DEFAULTS,
    durable: 'deployment__feedback_candidates',
    service: 'deployment-outcomes',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.candidate.>',
  },
  /** Widgets (hub, name, current version) for affected widgets and annotation versions. */
  deployment_ingestion_widgets: {
    ...CONSUMER_DEFAULTS,
    durable: 'deployment__ingestion_widgets',
    service: 'deployment-outcomes',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.widget.>',
  },
  // The interaction and annotation rollups read IHF_EVENTS and `ihf.feedback.annotation.>` with
  // ordered consumers from their Postgres watermark (no durable, no ack): see the
  // deployment-outcomes README, "Rollups".
  // --- agent-proposals (issue 14): the built-in agents read feedback, ingestion and governance ---
  /** Candidates, annotations and threads: duplicates, summaries and requirement drafts. */
  agents_feedback: {
    ...CONSUMER_DEFAULTS,
    durable: 'agents__feedback',
    service: 'agent-proposals',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.>',
  },
  /** Annotation bodies (feedback's events carry none): summaries and drafts quote them. */
  agents_ingestion_annotations: {
    ...CONSUMER_DEFAULTS,
    durable: 'agents__ingestion_annotations',
    service: 'agent-proposals',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.annotation.>',
  },
  /** Widgets' policy scopes, for the policy rules. */
  agents_ingestion_widgets: {
    ...CONSUMER_DEFAULTS,
    durable: 'agents__ingestion_widgets',
    service: 'agent-proposals',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.widget.>',
  },
  /** Decisions (policy flags) and promoted requirements (implementation proposals). */
  agents_governance: {
    ...CONSUMER_DEFAULTS,
    durable: 'agents__governance',
    service: 'agent-proposals',
    stream: 'IHF_GOVERNANCE',
    filterSubject: 'ihf.governance.>',
  },
  // --- notifications (issue 16b) ---
  /** Notifications' users: e-mail addresses, roles, hubs, deactivation. */
  notifications_identity: {
    ...CONSUMER_DEFAULTS,
    durable: 'notifications__identity',
    service: 'notifications',
    stream: 'IHF_IDENTITY',
    filterSubject: 'ihf.identity.>',
  },
  /** Who follows a candidate (reporters, creators) and the candidate events people hear of. */
  notifications_feedback: {
    ...CONSUMER_DEFAULTS,
    durable: 'notifications__feedback',
    service: 'notifications',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.>',
  },
  /** Promotions and decisions people hear of. */
  notifications_governance: {
    ...CONSUMER_DEFAULTS,
    durable: 'notifications__governance',
    service: 'notifications',
    stream: 'IHF_GOVERNANCE',
    filterSubject: 'ihf.governance.>',
  },
  /** Deployments and outcomes people hear of (issue 13's events, once they exist). */
  notifications_deployment: {
    ...CONSUMER_DEFAULTS,
    durable: 'notifications__deployment',
    service: 'notifications',
    stream: 'IHF_DEPLOYMENT',
    filterSubject: 'ihf.deployment.>',
  },
  /**
   * Outbound webhooks: one consumer per stream fans each event out to the hub endpoints
   * subscribed to its subject. Only events from now on (an endpoint hears nothing older than
   * itself). Endpoints belong to a hub, so identity's events (no hub) and interaction events
   * (IHF_EVENTS, high volume) are not offered.
   */
  notifications_webhooks_ingestion: {
    ...CONSUMER_DEFAULTS,
    deliverPolicy: 'new',
    durable: 'notifications__webhooks_ingestion',
    service: 'notifications',
    stream: 'IHF_INGESTION',
    filterSubject: 'ihf.ingestion.>',
  },
  notifications_webhooks_feedback: {
    ...CONSUMER_DEFAULTS,
    deliverPolicy: 'new',
    durable: 'notifications__webhooks_feedback',
    service: 'notifications',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.>',
  },
  notifications_webhooks_governance: {
    ...CONSUMER_DEFAULTS,
    deliverPolicy: 'new',
    durable: 'notifications__webhooks_governance',
    service: 'notifications',
    stream: 'IHF_GOVERNANCE',
    filterSubject: 'ihf.governance.>',
  },
  notifications_webhooks_deployment: {
    ...CONSUMER_DEFAULTS,
    deliverPolicy: 'new',
    durable: 'notifications__webhooks_deployment',
    service: 'notifications',
    stream: 'IHF_DEPLOYMENT',
    filterSubject: 'ihf.deployment.>',
  },
  notifications_webhooks_agents: {
    ...CONSUMER_DEFAULTS,
    deliverPolicy: 'new',
    durable: 'notifications__webhooks_agents',
    service: 'notifications',
    stream: 'IHF_AGENTS',
    filterSubject: 'ihf.agents.>',
  },
} as const satisfies Record<string, ConsumerDefinition>;

/**
 * A service that reads part of a stream with ordered consumers (no durable, no acks: it keeps
 * its own position, e.g. a watermark in Postgres) instead of a durable consumer. Declared here
 * so that its bus permissions can be generated like a durable consumer's.
 */
export interface OrderedReaderDefinition {
  readonly service: string;
  readonly stream: StreamName;
  /** One subject filter, as for a durable consumer. */
  readonly filterSubject: string;
}

export const ORDERED_READERS = {
  // deployment-outcomes' rollups count interaction events and annotations exactly once by
  // stream sequence (services/deployment-outcomes/README.md, "Rollups").
  deployment_interaction_rollup: {
    service: 'deployment-outcomes',
    stream: 'IHF_EVENTS',
    filterSubject: 'ihf.ingestion.interaction.>',
  },
  deployment_annotation_rollup: {
    service: 'deployment-outcomes',
    stream: 'IHF_FEEDBACK',
    filterSubject: 'ihf.feedback.annotation.>',
  },
} as const satisfies Record<string, OrderedReaderDefinition>;
