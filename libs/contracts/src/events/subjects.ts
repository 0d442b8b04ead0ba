/**
 * Every event subject of the platform, as constants: `ihf.<service>.<aggregate>.<event>.v<N>`.
 * Subjects are data, never derived from class names. A breaking payload change is a new
 * subject (`.v2`) published beside the old one until every consumer has moved.
 */
export const Subjects = {
  Identity: {
    UserCreatedV1: 'ihf.identity.user.created.v1',
    UserLockedV1: 'ihf.identity.user.locked.v1',
    UserUnlockedV1: 'ihf.identity.user.unlocked.v1',
    UserDeactivatedV1: 'ihf.identity.user.deactivated.v1',
    UserReactivatedV1: 'ihf.identity.user.reactivated.v1',
    MembershipChangedV1: 'ihf.identity.membership.changed.v1',
  },
  Ingestion: {
    HubCreatedV1: 'ihf.ingestion.hub.created.v1',
    HubUpdatedV1: 'ihf.ingestion.hub.updated.v1',
    ApiKeyCreatedV1: 'ihf.ingestion.api_key.created.v1',
    ApiKeyRevokedV1: 'ihf.ingestion.api_key.revoked.v1',
    WidgetRegisteredV1: 'ihf.ingestion.widget.registered.v1',
    WidgetUpdatedV1: 'ihf.ingestion.widget.updated.v1',
    WidgetStatusChangedV1: 'ihf.ingestion.widget.status_changed.v1',
    EnvelopeContractCreatedV1: 'ihf.ingestion.envelope_contract.created.v1',
    EnvelopeContractStatusChangedV1: 'ihf.ingestion.envelope_contract.status_changed.v1',
    ReportingContractCreatedV1: 'ihf.ingestion.reporting_contract.created.v1',
    ReportingContractStatusChangedV1: 'ihf.ingestion.reporting_contract.status_changed.v1',
    AdapterSpecCreatedV1: 'ihf.ingestion.adapter_spec.created.v1',
    AdapterSpecStatusChangedV1: 'ihf.ingestion.adapter_spec.status_changed.v1',
    AnnotationSubmittedV1: 'ihf.ingestion.annotation.submitted.v1',
    InteractionRecordedV1: 'ihf.ingestion.interaction.recorded.v1',
    // Issue 16: an end user's "me too" on a candidate, from the SDK through the reporting API.
    MeTooSubmittedV1: 'ihf.ingestion.me_too.submitted.v1',
  },
  Feedback: {
    AnnotationCreatedV1: 'ihf.feedback.annotation.created.v1',
    AnnotationRetractedV1: 'ihf.feedback.annotation.retracted.v1',
    ThreadCreatedV1: 'ihf.feedback.thread.created.v1',
    ThreadChangedV1: 'ihf.feedback.thread.changed.v1',
    CandidateCreatedV1: 'ihf.feedback.candidate.created.v1',
    CandidateStatusChangedV1: 'ihf.feedback.candidate.status_changed.v1',
    CandidateAssignedV1: 'ihf.feedback.candidate.assigned.v1',
    // Issue 16: votes, subscribers and merges (for notifications).
    CandidateVotedV1: 'ihf.feedback.candidate.voted.v1',
    CandidateVoteWithdrawnV1: 'ihf.feedback.candidate.vote_withdrawn.v1',
    CandidateSubscribedV1: 'ihf.feedback.candidate.subscribed.v1',
    CandidateUnsubscribedV1: 'ihf.feedback.candidate.unsubscribed.v1',
    CandidateMergedV1: 'ihf.feedback.candidate.merged.v1',
    CandidateMergeUndoneV1: 'ihf.feedback.candidate.merge_undone.v1',
  },
  Governance: {
    RequirementPromotedV1: 'ihf.governance.requirement.promoted.v1',
    RequirementUpdatedV1: 'ihf.governance.requirement.updated.v1',
    RequirementSupersededV1: 'ihf.governance.requirement.superseded.v1',
    RequirementRetiredV1: 'ihf.governance.requirement.retired.v1',
    DecisionRecordedV1: 'ihf.governance.decision.recorded.v1',
    DecisionSupersededV1: 'ihf.governance.decision.superseded.v1',
    PolicyReferenceAddedV1: 'ihf.governance.policy_reference.added.v1',
    WorkItemLinkedV1: 'ihf.governance.work_item.linked.v1',
    WorkItemStateChangedV1: 'ihf.governance.work_item.state_changed.v1',
  },
  Deployment: {
    DeploymentRecordedV1: 'ihf.deployment.deployment.recorded.v1',
    OutcomeMeasuredV1: 'ihf.deployment.outcome.measured.v1',
    EvaluationRecordedV1: 'ihf.deployment.evaluation.recorded.v1',
  },
  Agents: {
    ProposalAcceptedV1: 'ihf.agents.proposal.accepted.v1',
    ProposalCreatedV1: 'ihf.agents.proposal.created.v1',
    ProposalSupersededV1: 'ihf.agents.proposal.superseded.v1',
    ProposalReviewedV1: 'ihf.agents.proposal.reviewed.v1',
  },
} as const;
