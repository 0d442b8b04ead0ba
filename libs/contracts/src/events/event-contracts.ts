import {
  MembershipChangedV1,
  UserCreatedV1,
  UserDeactivatedV1,
  UserLockedV1,
  UserReactivatedV1,
  UserUnlockedV1,
} from './identity/identity.events.js';
import {
  AdapterSpecCreatedV1,
  AnnotationSubmittedV1,
  ApiKeyCreatedV1,
  ApiKeyRevokedV1,
  EnvelopeContractCreatedV1,
  HubCreatedV1,
  HubUpdatedV1,
  InteractionRecordedV1,
  RegistryStatusChangedV1,
  ReportingContractCreatedV1,
  WidgetRegisteredV1,
  WidgetStatusChangedV1,
  WidgetUpdatedV1,
} from './ingestion/ingestion.events.js';
import {
  ProposalAcceptedV1,
  ProposalCreatedV1,
  ProposalReviewedV1,
  ProposalSupersededV1,
} from './agents/agents.events.js';
import {
  FeedbackAnnotationCreatedV1,
  FeedbackAnnotationRetractedV1,
  FeedbackCandidateAssignedV1,
  FeedbackCandidateCreatedV1,
  FeedbackCandidateStatusChangedV1,
  FeedbackThreadChangedV1,
  FeedbackThreadCreatedV1,
} from './feedback/feedback.events.js';
import {
  FeedbackCandidateMergedV1,
  FeedbackCandidateMergeUndoneV1,
  FeedbackCandidateSubscribedV1,
  FeedbackCandidateUnsubscribedV1,
  FeedbackCandidateVotedV1,
  FeedbackCandidateVoteWithdrawnV1,
  MeTooSubmittedV1,
} from './feedback/participation.events.js';
import {
  DecisionRecordedV1,
  DecisionSupersededV1,
  PolicyReferenceAddedV1,
  RequirementPromotedV1,
  RequirementRetiredV1,
  RequirementSupersededV1,
  RequirementUpdatedV1,
  WorkItemLinkedV1,
  WorkItemStateChangedV1,
} from './governance/governance.events.js';
import {
  DeploymentRecordedV1,
  EvaluationRecordedV1,
  OutcomeMeasuredV1,
} from './deployment/deployment.events.js';
import { Subjects } from './subjects.js';

/** A payload class: class-validator decorated, instantiable without arguments. */
export type PayloadClass<T extends object = object> = new () => T;

/** What the platform knows about one event subject. */
export interface EventContract<T extends object = object> {
  /** class-validator class every consumer validates the payload against. */
  readonly payload: PayloadClass<T>;
  /** Whether the envelope carries a `hub_id` (hub-scoped facts) or not. */
  readonly hubScoped: boolean;
  /** One sentence for the generated schema and docs. */
  readonly description: string;
}

function contract<T extends object>(c: EventContract<T>): EventContract<T> {
  return c;
}

/**
 * The single map from subject to payload class. `PayloadOf<S>` is derived from it, so
 * publishing the wrong payload for a subject does not compile.
 */
export const EVENT_CONTRACTS = {
  [Subjects.Identity.UserCreatedV1]: contract({
    payload: UserCreatedV1,
    hubScoped: false,
    description: 'A person or an agent client became a principal.',
  }),
  [Subjects.Identity.UserLockedV1]: contract({
    payload: UserLockedV1,
    hubScoped: false,
    description: 'Sign-in was locked after repeated failed attempts.',
  }),
  [Subjects.Identity.UserUnlockedV1]: contract({
    payload: UserUnlockedV1,
    hubScoped: false,
    description: 'A sign-in lock was lifted, by an admin or when the cool-down passed.',
  }),
  [Subjects.Identity.UserDeactivatedV1]: contract({
    payload: UserDeactivatedV1,
    hubScoped: false,
    description: 'A user was deactivated: no more sign-ins, every session ended.',
  }),
  [Subjects.Identity.UserReactivatedV1]: contract({
    payload: UserReactivatedV1,
    hubScoped: false,
    description: 'A deactivated user may sign in again.',
  }),
  [Subjects.Identity.MembershipChangedV1]: contract({
    payload: MembershipChangedV1,
    hubScoped: false,
    description: 'The hubs a user may act in, or its roles, changed.',
  }),
  [Subjects.Ingestion.HubCreatedV1]: contract({
    payload: HubCreatedV1,
    hubScoped: true,
    description: 'A hub was created.',
  }),
  [Subjects.Ingestion.HubUpdatedV1]: contract({
    payload: HubUpdatedV1,
    hubScoped: true,
    description: "A hub's slug, name or domain changed.",
  }),
  [Subjects.Ingestion.ApiKeyCreatedV1]: contract({
    payload: ApiKeyCreatedV1,
    hubScoped: true,
    description: 'A hub API key was issued (its prefix, never the key).',
  }),
  [Subjects.Ingestion.ApiKeyRevokedV1]: contract({
    payload: ApiKeyRevokedV1,
    hubScoped: true,
    description: 'A hub API key was revoked.',
  }),
  [Subjects.Ingestion.WidgetRegisteredV1]: contract({
    payload: WidgetRegisteredV1,
    hubScoped: true,
    description: 'A widget was registered in a hub, at version 1.',
  }),
  [Subjects.Ingestion.WidgetUpdatedV1]: contract({
    payload: WidgetUpdatedV1,
    hubScoped: true,
    description: "A widget's definition changed; its version was bumped.",
  }),
  [Subjects.Ingestion.WidgetStatusChangedV1]: contract({
    payload: WidgetStatusChangedV1,
    hubScoped: true,
    description: 'A widget moved in its lifecycle (active, deprecated, retired).',
  }),
  [Subjects.Ingestion.EnvelopeContractCreatedV1]: contract({
    payload: EnvelopeContractCreatedV1,
    hubScoped: false,
    description: 'An envelope emission contract was registered.',
  }),
  [Subjects.Ingestion.EnvelopeContractStatusChangedV1]: contract({
    payload: RegistryStatusChangedV1,
    hubScoped: false,
    description: 'An envelope emission contract moved in its lifecycle.',
  }),
  [Subjects.Ingestion.ReportingContractCreatedV1]: contract({
    payload: ReportingContractCreatedV1,
    hubScoped: false,
    description: 'An interaction reporting contract was registered.',
  }),
  [Subjects.Ingestion.ReportingContractStatusChangedV1]: contract({
    payload: RegistryStatusChangedV1,
    hubScoped: false,
    description: 'An interaction reporting contract moved in its lifecycle.',
  }),
  [Subjects.Ingestion.AdapterSpecCreatedV1]: contract({
    payload: AdapterSpecCreatedV1,
    hubScoped: false,
    description: 'A widget adapter spec was registered.',
  }),
  [Subjects.Ingestion.AdapterSpecStatusChangedV1]: contract({
    payload: RegistryStatusChangedV1,
    hubScoped: false,
    description: 'A widget adapter spec moved in its lifecycle.',
  }),
  [Subjects.Ingestion.AnnotationSubmittedV1]: contract({
    payload: AnnotationSubmittedV1,
    hubScoped: true,
    description: 'An external UI submitted feedback on a widget through the reporting API.',
  }),
  [Subjects.Ingestion.InteractionRecordedV1]: contract({
    payload: InteractionRecordedV1,
    hubScoped: true,
    description: 'An interaction event was stored by ingestion (relayed to IHF_EVENTS).',
  }),
  [Subjects.Ingestion.MeTooSubmittedV1]: contract({
    payload: MeTooSubmittedV1,
    hubScoped: true,
    description:
      'An end user said "me too" about a candidate through the SDK and the reporting API.',
  }),
  [Subjects.Feedback.AnnotationCreatedV1]: contract({
    payload: FeedbackAnnotationCreatedV1,
    hubScoped: true,
    description: 'An annotation was stored by the feedback service (from ingestion or a user).',
  }),
  [Subjects.Feedback.AnnotationRetractedV1]: contract({
    payload: FeedbackAnnotationRetractedV1,
    hubScoped: true,
    description: 'An annotation was retracted; its body is kept for the audit.',
  }),
  [Subjects.Feedback.ThreadCreatedV1]: contract({
    payload: FeedbackThreadCreatedV1,
    hubScoped: true,
    description: 'An annotation thread was opened on a widget.',
  }),
  [Subjects.Feedback.ThreadChangedV1]: contract({
    payload: FeedbackThreadChangedV1,
    hubScoped: true,
    description:
      'An annotation was added to or removed from a thread, or its title or description changed.',
  }),
  [Subjects.Feedback.CandidateCreatedV1]: contract({
    payload: FeedbackCandidateCreatedV1,
    hubScoped: true,
    description: 'A requirement candidate was created from an annotation, a thread or a proposal.',
  }),
  [Subjects.Feedback.CandidateStatusChangedV1]: contract({
    payload: FeedbackCandidateStatusChangedV1,
    hubScoped: true,
    description: 'A requirement candidate moved in the triage workflow.',
  }),
  [Subjects.Feedback.CandidateAssignedV1]: contract({
    payload: FeedbackCandidateAssignedV1,
    hubScoped: true,
    description: "A requirement candidate's reviewer was assigned or replaced.",
  }),
  [Subjects.Feedback.CandidateVotedV1]: contract({
    payload: FeedbackCandidateVotedV1,
    hubScoped: true,
    description: 'A hub user voted for a candidate, or an end user said "me too" (once each).',
  }),
  [Subjects.Feedback.CandidateVoteWithdrawnV1]: contract({
    payload: FeedbackCandidateVoteWithdrawnV1,
    hubScoped: true,
    description: 'A hub user withdrew their vote for a candidate.',
  }),
  [Subjects.Feedback.CandidateSubscribedV1]: contract({
    payload: FeedbackCandidateSubscribedV1,
    hubScoped: true,
    description: 'Someone follows a candidate (a source reporter, a member, a voter).',
  }),
  [Subjects.Feedback.CandidateUnsubscribedV1]: contract({
    payload: FeedbackCandidateUnsubscribedV1,
    hubScoped: true,
    description: 'Someone stopped following a candidate.',
  }),
  [Subjects.Feedback.CandidateMergedV1]: contract({
    payload: FeedbackCandidateMergedV1,
    hubScoped: true,
    description:
      'A duplicate candidate was merged into the kept one (votes, subscribers and sources moved).',
  }),
  [Subjects.Feedback.CandidateMergeUndoneV1]: contract({
    payload: FeedbackCandidateMergeUndoneV1,
    hubScoped: true,
    description: 'A merge was undone: the moved votes, subscribers and sources went back.',
  }),
  [Subjects.Governance.RequirementPromotedV1]: contract({
    payload: RequirementPromotedV1,
    hubScoped: true,
    description: 'Governance promoted an accepted requirement candidate into a requirement.',
  }),
  [Subjects.Governance.RequirementUpdatedV1]: contract({
    payload: RequirementUpdatedV1,
    hubScoped: true,
    description: "A requirement's title or description was edited (the history keeps both).",
  }),
  [Subjects.Governance.RequirementSupersededV1]: contract({
    payload: RequirementSupersededV1,
    hubScoped: true,
    description: 'A requirement was superseded by another requirement.',
  }),
  [Subjects.Governance.RequirementRetiredV1]: contract({
    payload: RequirementRetiredV1,
    hubScoped: true,
    description: 'A requirement was retired.',
  }),
  [Subjects.Governance.DecisionRecordedV1]: contract({
    payload: DecisionRecordedV1,
    hubScoped: true,
    description: 'A decision record was made on a requirement and/or a candidate.',
  }),
  [Subjects.Governance.DecisionSupersededV1]: contract({
    payload: DecisionSupersededV1,
    hubScoped: true,
    description: 'A decision record was superseded by a newer one (both stay in the history).',
  }),
  [Subjects.Governance.PolicyReferenceAddedV1]: contract({
    payload: PolicyReferenceAddedV1,
    hubScoped: true,
    description: 'A decision cited a policy scope with a constraint note.',
  }),
  [Subjects.Governance.WorkItemLinkedV1]: contract({
    payload: WorkItemLinkedV1,
    hubScoped: true,
    description: 'A decision was linked to an item in an external tracker.',
  }),
  [Subjects.Governance.WorkItemStateChangedV1]: contract({
    payload: WorkItemStateChangedV1,
    hubScoped: true,
    description: 'A linked work item changed state in its tracker (open, closed, merged).',
  }),
  [Subjects.Deployment.DeploymentRecordedV1]: contract({
    payload: DeploymentRecordedV1,
    hubScoped: true,
    description: 'A deployment of a decision was recorded, with the widgets it affects.',
  }),
  [Subjects.Deployment.OutcomeMeasuredV1]: contract({
    payload: OutcomeMeasuredV1,
    hubScoped: true,
    description:
      "Before/after outcome signals of a deployment's widgets were written (provisional or final).",
  }),
  [Subjects.Deployment.EvaluationRecordedV1]: contract({
    payload: EvaluationRecordedV1,
    hubScoped: true,
    description: 'A person scored a deployment (1-5) with a rationale; once per deployment.',
  }),
  [Subjects.Agents.ProposalAcceptedV1]: contract({
    payload: ProposalAcceptedV1,
    hubScoped: true,
    description: "A human accepted an agent's proposal (duplicate flags and drafts act on triage).",
  }),
  [Subjects.Agents.ProposalCreatedV1]: contract({
    payload: ProposalCreatedV1,
    hubScoped: true,
    description: 'An agent proposed something; it waits for a person to review it.',
  }),
  [Subjects.Agents.ProposalSupersededV1]: contract({
    payload: ProposalSupersededV1,
    hubScoped: true,
    description: 'A newer proposal of the same kind and sources replaced a pending one.',
  }),
  [Subjects.Agents.ProposalReviewedV1]: contract({
    payload: ProposalReviewedV1,
    hubScoped: true,
    description: 'A person accepted, modified or rejected a proposal.',
  }),
} as const;

/** Every registered event subject. */
export type Subject = keyof typeof EVENT_CONTRACTS;

/** The payload type of a subject, from its registered class. */
export type PayloadOf<S extends Subject> =
  (typeof EVENT_CONTRACTS)[S] extends EventContract<infer T> ? T : never;

/** Contract of a subject, or undefined when the subject is not registered. */
export function contractFor(subject: string): EventContract | undefined {
  return (EVENT_CONTRACTS as Record<string, EventContract>)[subject];
}

/** All registered subjects. */
export function allSubjects(): Subject[] {
  return Object.keys(EVENT_CONTRACTS) as Subject[];
}
