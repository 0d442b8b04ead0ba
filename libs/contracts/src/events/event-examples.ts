import type { PayloadOf, Subject } from './event-contracts.js';
import { Subjects } from './subjects.js';

// Fixed ids, so that the examples in the committed schema files never change by themselves.
const HUB = '3f1c2a9e-0b7d-4c55-9a61-2d4e8f0a1b01';
const WIDGET = '5b8e1d2c-7a3f-4e90-8c12-6f0a9b3d2e02';
const USER = '8d2f6a1b-3c4e-4f7a-9b05-1e2d3c4b5a03';
const REVIEWER = '1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c04';
const ANNOTATION = '6c7d8e9f-0a1b-4c2d-8e3f-4a5b6c7d8e05';
const THREAD = '9e0f1a2b-3c4d-4e5f-8a6b-7c8d9e0f1a06';
const CANDIDATE = '2b3c4d5e-6f7a-4b8c-9d0e-1f2a3b4c5d07';
const OTHER_CANDIDATE = '4d5e6f7a-8b9c-4d0e-9f1a-2b3c4d5e6f08';
const CONTRACT = '7f8a9b0c-1d2e-4f3a-8b4c-5d6e7f8a9b09';
const ADAPTER_SPEC = '0c1d2e3f-4a5b-4c6d-9e7f-8a9b0c1d2e10';
const KEY = 'e1f2a3b4-c5d6-4e7f-8a9b-0c1d2e3f4a11';
const REQUIREMENT = 'b2c3d4e5-f6a7-4b8c-9d0e-1f2a3b4c5d13';
const OTHER_REQUIREMENT = 'a7b8c9d0-e1f2-4a3b-9c4d-5e6f7a8b9c15';
const DECISION = 'd4e5f6a7-b8c9-4d0e-8f1a-2b3c4d5e6f16';
const OTHER_DECISION = 'e5f6a7b8-c9d0-4e1f-9a2b-3c4d5e6f7a17';
const WORK_ITEM = 'c9d0e1f2-a3b4-4c5d-8e6f-7a8b9c0d1e18';
const AT = '2026-11-27T10:00:00.000Z';

const widget = {
  widget_id: WIDGET,
  hub_id: HUB,
  name: 'Checkout button',
  widget_type: 'button',
  capability_ref: 'checkout.submit',
  view_context: null,
  policy_scope: 'internal',
  status: 'active',
  adapter_spec_id: null,
} as const;

/**
 * One documented example payload per subject: published in the generated schemas (`examples`)
 * and, by a test, on the bus and through the schema, the payload class and a consumer. The type
 * makes a new subject without an example fail to compile.
 */
export const EVENT_EXAMPLES: { readonly [S in Subject]: PayloadOf<S> } = {
  [Subjects.Identity.UserCreatedV1]: {
    user_id: USER,
    kind: 'user',
    name: 'Ada Lovelace',
    email: 'ada@example.com',
    roles: ['triager'],
    created_at: AT,
  },
  [Subjects.Identity.UserLockedV1]: { user_id: USER, locked_at: AT, failed_login_attempts: 5 },
  [Subjects.Identity.UserUnlockedV1]: { user_id: USER, unlocked_at: AT, cause: 'cooldown' },
  [Subjects.Identity.UserDeactivatedV1]: { user_id: USER, deactivated_at: AT },
  [Subjects.Identity.UserReactivatedV1]: { user_id: USER, reactivated_at: AT },
  [Subjects.Identity.MembershipChangedV1]: {
    user_id: USER,
    hub_ids: [HUB],
    roles: ['triager', 'reviewer'],
  },
  [Subjects.Ingestion.HubCreatedV1]: {
    hub_id: HUB,
    slug: 'shop',
    name: 'Shop',
    domain: 'shop.example.com',
    created_at: AT,
  },
  [Subjects.Ingestion.HubUpdatedV1]: {
    hub_id: HUB,
    slug: 'shop',
    name: 'Web shop',
    domain: 'shop.example.com',
    updated_at: AT,
  },
  [Subjects.Ingestion.ApiKeyCreatedV1]: {
    key_id: KEY,
    hub_id: HUB,
    prefix: 'ihf_k3y9',
    label: 'storefront',
    created_at: AT,
  },
  [Subjects.Ingestion.ApiKeyRevokedV1]: {
    key_id: KEY,
    hub_id: HUB,
    prefix: 'ihf_k3y9',
    revoked_at: AT,
  },
  [Subjects.Ingestion.WidgetRegisteredV1]: { ...widget, version: 1, created_at: AT },
  [Subjects.Ingestion.WidgetUpdatedV1]: {
    ...widget,
    name: 'Pay now button',
    version: 2,
    changed_fields: ['name'],
    updated_at: AT,
  },
  [Subjects.Ingestion.WidgetStatusChangedV1]: {
    widget_id: WIDGET,
    hub_id: HUB,
    from: 'active',
    to: 'deprecated',
    version: 3,
    changed_at: AT,
  },
  [Subjects.Ingestion.EnvelopeContractCreatedV1]: {
    contract_id: CONTRACT,
    contract_version: '1.1',
    required_attributes: ['data-ihf-widget-id'],
    optional_attributes: ['data-ihf-view-context'],
    validation_rules: [{ id: 'widget_id_uuid', check: 'format', format: 'uuid' }],
    status: 'draft',
  },
  [Subjects.Ingestion.EnvelopeContractStatusChangedV1]: {
    id: CONTRACT,
    label: '1.1',
    from: 'draft',
    to: 'active',
    changed_at: AT,
  },
  [Subjects.Ingestion.ReportingContractCreatedV1]: {
    contract_id: CONTRACT,
    contract_version: '1.1',
    endpoint_path: '/api/v1/events',
    accepted_event_types: ['click', 'submit'],
    required_fields: ['widget_id', 'event_type'],
    auth_scheme: 'bearer',
    validation_rules: [{ id: 'event_type_known', check: 'one_of', values: ['click', 'submit'] }],
    status: 'draft',
  },
  [Subjects.Ingestion.ReportingContractStatusChangedV1]: {
    id: CONTRACT,
    label: '1.1',
    from: 'active',
    to: 'superseded',
    changed_at: AT,
  },
  [Subjects.Ingestion.AdapterSpecCreatedV1]: {
    adapter_spec_id: ADAPTER_SPEC,
    name: 'react-adapter',
    framework: 'react',
    version: '1.0',
    envelope_contract_id: CONTRACT,
    reporting_contract_id: null,
    status: 'draft',
  },
  [Subjects.Ingestion.AdapterSpecStatusChangedV1]: {
    id: ADAPTER_SPEC,
    label: 'react-adapter',
    from: 'draft',
    to: 'active',
    changed_at: AT,
  },
  [Subjects.Ingestion.AnnotationSubmittedV1]: {
    annotation_id: ANNOTATION,
    hub_id: HUB,
    widget_id: WIDGET,
    widget_version: 1,
    parent_id: null,
    body: 'The button moves while the page loads.',
    category: 'friction',
    severity: 'high',
    actor_id: null,
    actor_type: 'anonymous',
    widget_state_ref: null,
    submitted_at: AT,
  },
  [Subjects.Ingestion.InteractionRecordedV1]: {
    event_id: 'a1b2c3d4-e5f6-4a7b-8c9d-0e1f2a3b4c12',
    hub_id: HUB,
    widget_id: WIDGET,
    widget_version: 1,
    event_type: 'click',
    actor_id: USER,
    actor_type: 'user',
    view_context_ref: null,
    metadata: { x: 10, y: 20 },
    occurred_at: AT,
    received_at: AT,
  },
  [Subjects.Feedback.AnnotationCreatedV1]: {
    annotation_id: ANNOTATION,
    widget_id: WIDGET,
    parent_id: null,
    thread_id: null,
    category: 'friction',
    severity: 'high',
    actor_id: null,
    actor_type: 'anonymous',
    source: 'ingestion',
    created_at: AT,
  },
  [Subjects.Feedback.AnnotationRetractedV1]: {
    annotation_id: ANNOTATION,
    widget_id: WIDGET,
    retracted_by: USER,
    retracted_at: AT,
  },
  [Subjects.Feedback.ThreadCreatedV1]: {
    thread_id: THREAD,
    widget_id: WIDGET,
    title: 'Checkout button jumps',
    created_by: USER,
    created_at: AT,
  },
  [Subjects.Feedback.ThreadChangedV1]: {
    thread_id: THREAD,
    widget_id: WIDGET,
    change: 'annotation_added',
    annotation_id: ANNOTATION,
    title: 'Checkout button jumps',
    changed_by: USER,
    changed_at: AT,
  },
  [Subjects.Feedback.CandidateCreatedV1]: {
    candidate_id: CANDIDATE,
    title: 'Reserve space for the checkout button',
    category: 'friction',
    severity: 'high',
    source_widget_id: WIDGET,
    source_thread_id: THREAD,
    source_annotation_id: null,
    source_proposal_id: null,
    created_by: USER,
    created_at: AT,
  },
  [Subjects.Feedback.CandidateStatusChangedV1]: {
    candidate_id: CANDIDATE,
    from: 'open',
    to: 'in_review',
    notes: null,
    duplicate_of_id: null,
    requirement_id: null,
    changed_by: USER,
    version: 2,
    changed_at: AT,
  },
  [Subjects.Feedback.CandidateAssignedV1]: {
    candidate_id: CANDIDATE,
    reviewer_id: REVIEWER,
    previous_reviewer_id: null,
    assigned_by: USER,
    assigned_at: AT,
  },
  [Subjects.Governance.RequirementPromotedV1]: {
    requirement_id: REQUIREMENT,
    candidate_id: CANDIDATE,
    hub_id: HUB,
    promoted_by: USER,
    promoted_at: AT,
    title: 'Make the checkout button say what it does',
  },
  [Subjects.Governance.RequirementUpdatedV1]: {
    requirement_id: REQUIREMENT,
    title: 'Name the checkout button after its action',
    description: 'Reporters could not tell that the button places the order.',
    changed_by: USER,
    changed_at: AT,
  },
  [Subjects.Governance.RequirementSupersededV1]: {
    requirement_id: REQUIREMENT,
    superseded_by_id: OTHER_REQUIREMENT,
    changed_by: USER,
    changed_at: AT,
  },
  [Subjects.Governance.RequirementRetiredV1]: {
    requirement_id: REQUIREMENT,
    notes: 'The checkout page was replaced.',
    changed_by: USER,
    changed_at: AT,
  },
  [Subjects.Governance.DecisionRecordedV1]: {
    decision_id: DECISION,
    title: 'Rename the checkout button',
    outcome: 'approved',
    requirement_id: REQUIREMENT,
    candidate_id: CANDIDATE,
    supersedes_id: null,
    decided_by: USER,
    decided_at: AT,
  },
  [Subjects.Governance.DecisionSupersededV1]: {
    decision_id: DECISION,
    superseded_by_id: OTHER_DECISION,
    superseded_at: AT,
  },
  [Subjects.Governance.PolicyReferenceAddedV1]: {
    policy_reference_id: 'f6a7b8c9-d0e1-4f2a-8b3c-4d5e6f7a8b19',
    decision_id: DECISION,
    policy_scope: 'accessibility',
    constraint_note: 'Button labels follow WCAG 2.2 (2.5.3 Label in Name).',
    created_by: USER,
    created_at: AT,
  },
  [Subjects.Governance.WorkItemLinkedV1]: {
    work_item_id: WORK_ITEM,
    decision_id: DECISION,
    system: 'github',
    work_item_ref: 'acme/shop#123',
    url: 'https://github.com/acme/shop/issues/123',
    state: 'open',
    linked_by: USER,
    linked_at: AT,
  },
  [Subjects.Governance.WorkItemStateChangedV1]: {
    work_item_id: WORK_ITEM,
    decision_id: DECISION,
    from: 'open',
    to: 'closed',
    changed_at: AT,
  },
  [Subjects.Agents.ProposalAcceptedV1]: {
    proposal_id: 'c3d4e5f6-a7b8-4c9d-8e0f-1a2b3c4d5e14',
    kind: 'duplicate_flag',
    hub_id: HUB,
    accepted_by: USER,
    accepted_at: AT,
    candidate_id: OTHER_CANDIDATE,
    duplicate_of_id: CANDIDATE,
  },
};
