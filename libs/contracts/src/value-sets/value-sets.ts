/**
 * Every value set that crosses a service boundary, defined once. Producers' DTOs (`@IsIn`),
 * payload classes, consumers' domain code and the database CHECK constraints all use these
 * arrays; a test compares each CHECK in `pg_constraint` with them, and another fails when a
 * service declares its own copy. A value a consumer would refuse must be refused by the producer
 * at the door: accepted and then dropped downstream is data loss.
 */

/** Annotation and candidate categories (the seed's default is `friction`). */
export const ANNOTATION_CATEGORIES = ['friction', 'bug', 'idea', 'question', 'praise'] as const;
export type AnnotationCategory = (typeof ANNOTATION_CATEGORIES)[number];

/** Annotation and candidate severities, lowest first (the seed's default is `medium`). */
export const SEVERITIES = ['low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];

/** Who acted: the seed's `actor_type` (default `user`). */
export const ACTOR_TYPES = ['user', 'agent', 'system', 'anonymous'] as const;
export type ActorType = (typeof ACTOR_TYPES)[number];

/** Where a stored annotation came from: an external UI through ingestion, or a signed-in user. */
export const ANNOTATION_SOURCES = ['ingestion', 'api'] as const;
export type AnnotationSource = (typeof ANNOTATION_SOURCES)[number];

/** Statuses of a requirement candidate in the triage workflow. */
export const CANDIDATE_STATUSES = [
  'open',
  'in_review',
  'accepted',
  'rejected',
  'deferred',
  'duplicate',
  'promoted',
] as const;
export type CandidateStatus = (typeof CANDIDATE_STATUSES)[number];

/**
 * Who votes on or follows a candidate (issue 16): a signed-in hub `user` (a principal id), or a
 * `reporter`, the end user of a hub's site whom the SDK reports with an actor id.
 */
export const PARTICIPANT_KINDS = ['user', 'reporter'] as const;
export type ParticipantKind = (typeof PARTICIPANT_KINDS)[number];

/**
 * Why someone follows a candidate: they reported one of its source annotations, subscribed
 * themselves (a hub member), or voted ("me too" included).
 */
export const SUBSCRIPTION_ORIGINS = ['source_annotation', 'member', 'vote'] as const;
export type SubscriptionOrigin = (typeof SUBSCRIPTION_ORIGINS)[number];

/** What changed in an annotation thread. */
export const THREAD_CHANGES = [
  'annotation_added',
  'annotation_removed',
  'details_changed',
] as const;
export type ThreadChange = (typeof THREAD_CHANGES)[number];

/** Lifecycle of a widget: active → deprecated → retired. */
export const WIDGET_STATUSES = ['active', 'deprecated', 'retired'] as const;
export type WidgetStatus = (typeof WIDGET_STATUSES)[number];

/** Lifecycle of envelope emission and interaction reporting contracts. */
export const CONTRACT_STATUSES = ['draft', 'active', 'superseded', 'deprecated'] as const;
export type ContractStatus = (typeof CONTRACT_STATUSES)[number];

/** Lifecycle of widget adapter specs (the seed: draft | active | deprecated). */
export const ADAPTER_SPEC_STATUSES = ['draft', 'active', 'deprecated'] as const;
export type AdapterSpecStatus = (typeof ADAPTER_SPEC_STATUSES)[number];

/** Any registry entry's status (contracts and adapter specs), as status-change events carry it. */
export const REGISTRY_STATUSES = [
  ...new Set([...CONTRACT_STATUSES, ...ADAPTER_SPEC_STATUSES]),
] as readonly (ContractStatus | AdapterSpecStatus)[];
export type RegistryStatus = ContractStatus | AdapterSpecStatus;

/** The three kinds of contract the registry holds (subject aggregates use the same names). */
export const CONTRACT_KINDS = ['envelope_contract', 'reporting_contract', 'adapter_spec'] as const;
export type ContractKind = (typeof CONTRACT_KINDS)[number];

/** The roles a principal can hold (see ARCHITECTURE.md, Identity and access). */
export const ROLES = [
  'admin',
  'triager',
  'reviewer',
  'governor',
  'viewer',
  'agent',
  // A CI/CD pipeline's machine credential: records deployments of its hubs (issue 13).
  'deployer',
] as const;
export type RoleName = (typeof ROLES)[number];

/**
 * The role a machine client of identity holds (one per client): `agent` (proposal bots) or
 * `deployer` (a CI/CD pipeline's deployment hook, hub-scoped).
 */
export const MACHINE_ROLES = ['agent', 'deployer'] as const satisfies readonly RoleName[];
export type MachineRole = (typeof MACHINE_ROLES)[number];

/** A principal is a person or an agent client. */
export const PRINCIPAL_KINDS = ['user', 'agent'] as const;
export type PrincipalKind = (typeof PRINCIPAL_KINDS)[number];

/** What lifted a sign-in lock: an admin, or the cool-down passing. */
export const UNLOCK_CAUSES = ['admin', 'cooldown'] as const;
export type UnlockCause = (typeof UNLOCK_CAUSES)[number];

/** Kinds of agent proposal (the seed's `agent_proposals.proposal_type`). */
export const PROPOSAL_KINDS = [
  'summary',
  'requirement_draft',
  'duplicate_flag',
  'policy_flag',
  'impl_proposal',
] as const;
export type ProposalKind = (typeof PROPOSAL_KINDS)[number];

// --- agent-proposals (issue 14) ---

/** Lifecycle of an agent proposal: pending until a person reviews it or a newer one replaces it. */
export const PROPOSAL_STATUSES = ['pending', 'accepted', 'rejected', 'superseded'] as const;
export type ProposalStatus = (typeof PROPOSAL_STATUSES)[number];

/** A person's review of a proposal; `modified` accepts it with edited content. */
export const REVIEW_DECISIONS = ['accepted', 'rejected', 'modified'] as const;
export type ReviewDecision = (typeof REVIEW_DECISIONS)[number];

/** The dimensions an agent states its confidence in (the seed's `confidence_annotations`). */
export const CONFIDENCE_DIMENSIONS = [
  'accuracy',
  'relevance',
  'completeness',
  'policy_alignment',
] as const;
export type ConfidenceDimension = (typeof CONFIDENCE_DIMENSIONS)[number];

/** Where a proposal comes from: a built-in agent, the configured language model, or an external agent. */
export const AGENT_ORIGINS = ['builtin', 'llm', 'external'] as const;
export type AgentOrigin = (typeof AGENT_ORIGINS)[number];
// --- end agent-proposals ---

/**
 * Outcomes of a governance decision record: the documented, closed set every decision uses
 * (DTOs, the `decision_records.outcome` CHECK, events, MADR rendering).
 *
 * - `approved`: the requirement (or candidate) goes ahead as described;
 * - `rejected`: it does not, for the reasons in the rationale;
 * - `deferred`: not now; to be decided again later;
 * - `needs_information`: the deciders cannot decide yet; the notes say what is missing.
 */
export const DECISION_OUTCOMES = ['approved', 'rejected', 'deferred', 'needs_information'] as const;
export type DecisionOutcome = (typeof DECISION_OUTCOMES)[number];

/**
 * Lifecycle of a requirement: `active` from its promotion, `superseded` by another requirement
 * (`superseded_by_id`), or `retired`. Superseded and retired are final.
 */
export const REQUIREMENT_STATUSES = ['active', 'superseded', 'retired'] as const;
export type RequirementStatus = (typeof REQUIREMENT_STATUSES)[number];

/**
 * Trackers a decision can link work items in, each with its reference format:
 * `github` `owner/repo#123`, `gitlab` `group/project#12` (issue) or `group/project!7` (merge
 * request), `jira` `PROJ-42`, `linear` `ENG-42`, `azure_boards` `AB#123`, `url` any https URL.
 */
export const WORK_ITEM_SYSTEMS = [
  'github',
  'gitlab',
  'jira',
  'linear',
  'azure_boards',
  'url',
] as const;
export type WorkItemSystem = (typeof WORK_ITEM_SYSTEMS)[number];

/**
 * State of a linked work item as its tracker reports it: `unknown` until a webhook delivery
 * says otherwise, then `open`, `closed` or `merged` (pull and merge requests).
 */
export const WORK_ITEM_STATES = ['unknown', 'open', 'closed', 'merged'] as const;
export type WorkItemState = (typeof WORK_ITEM_STATES)[number];

/** What a change of a requirement appended to its history (governance's `requirement_history`). */
export const REQUIREMENT_CHANGES = ['promoted', 'edited', 'superseded', 'retired'] as const;
export type RequirementChange = (typeof REQUIREMENT_CHANGES)[number];

// --- deployment-outcomes (issue 13) ---

/**
 * Where a deployment went: a name the pipeline chooses (`production`, `staging`, `eu-west`…), so
 * a pattern rather than a value set.
 */
export const DEPLOYMENT_ENVIRONMENT_PATTERN = /^[a-z][a-z0-9_-]{0,49}$/;

/** Why a widget counts as affected by a deployment: the decision's lineage, or named in the call. */
export const AFFECTED_WIDGET_SOURCES = ['lineage', 'named'] as const;
export type AffectedWidgetSource = (typeof AFFECTED_WIDGET_SOURCES)[number];

/**
 * An outcome measurement: `provisional` while the after-window is open, `final` once it closed
 * (never edited), `manual` when a person or a tool added it.
 */
export const OUTCOME_PHASES = ['provisional', 'final', 'manual'] as const;
export type OutcomePhase = (typeof OUTCOME_PHASES)[number];

/** Who recorded a deployment: a person (JWT) or a pipeline through the deployment hook. */
export const DEPLOYMENT_RECORDERS = ['person', 'pipeline'] as const;
export type DeploymentRecorder = (typeof DEPLOYMENT_RECORDERS)[number];
// --- notifications (issue 16b) ---

/** How a user wants e-mail from the notifications service: each at once, one a day, or none. */
export const EMAIL_MODES = ['immediate', 'daily_digest', 'off'] as const;
export type EmailMode = (typeof EMAIL_MODES)[number];

/**
 * Where one e-mail of one event to one user stands (notifications' `email_deliveries`):
 * waiting, sent, waiting for / sent in the daily digest, or not sent (preference off, no
 * address, rate limit) and why in its `reason`.
 */
export const EMAIL_DELIVERY_STATUSES = [
  'pending',
  'sent',
  'digest_pending',
  'digested',
  'suppressed',
] as const;
export type EmailDeliveryStatus = (typeof EMAIL_DELIVERY_STATUSES)[number];

/** An outbound webhook endpoint receives deliveries (`active`) or not any more (`disabled`). */
export const WEBHOOK_ENDPOINT_STATUSES = ['active', 'disabled'] as const;
export type WebhookEndpointStatus = (typeof WEBHOOK_ENDPOINT_STATUSES)[number];

/**
 * One delivery of one event to one endpoint: waiting for its (next) attempt, delivered (2xx),
 * failed for good (the retry horizon passed), or refused before sending (a destination the SSRF
 * guard does not allow).
 */
export const WEBHOOK_DELIVERY_STATUSES = ['pending', 'delivered', 'failed', 'refused'] as const;
export type WebhookDeliveryStatus = (typeof WEBHOOK_DELIVERY_STATUSES)[number];

/**
 * A free-text field that must say something (annotation bodies): at least one non-space
 * character. Feedback refuses a blank body, so ingestion refuses it at the door too.
 */
export const NON_BLANK_PATTERN = /\S/;

/**
 * The value sets above by name, for the checks that compare them with CHECK constraints and
 * scan the services for copies.
 */
export const VALUE_SETS = {
  ANNOTATION_CATEGORIES,
  SEVERITIES,
  ACTOR_TYPES,
  ANNOTATION_SOURCES,
  CANDIDATE_STATUSES,
  THREAD_CHANGES,
  WIDGET_STATUSES,
  CONTRACT_STATUSES,
  ADAPTER_SPEC_STATUSES,
  CONTRACT_KINDS,
  ROLES,
  PRINCIPAL_KINDS,
  UNLOCK_CAUSES,
  PROPOSAL_KINDS,
  DECISION_OUTCOMES,
  REQUIREMENT_STATUSES,
  REQUIREMENT_CHANGES,
  WORK_ITEM_SYSTEMS,
  WORK_ITEM_STATES,
  PARTICIPANT_KINDS,
  SUBSCRIPTION_ORIGINS,
  MACHINE_ROLES,
  AFFECTED_WIDGET_SOURCES,
  OUTCOME_PHASES,
  DEPLOYMENT_RECORDERS,
  PROPOSAL_STATUSES,
  REVIEW_DECISIONS,
  CONFIDENCE_DIMENSIONS,
  AGENT_ORIGINS,
  EMAIL_MODES,
  EMAIL_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
  WEBHOOK_DELIVERY_STATUSES,
} as const satisfies Record<string, readonly string[]>;
