import { createHash } from 'node:crypto';
import { plainToInstance } from 'class-transformer';
import { type ValidationError, validateSync } from 'class-validator';
import {
  type ProposalAcceptedV1,
  ProposalAcceptedV1 as AcceptedContract,
  type ProposalKind,
} from '@ihf/contracts';
import { type FieldError } from './proposals.errors.js';

/** What a proposal is about: at least one source, as the seed's `source_*` columns (plus a requirement). */
export interface ProposalSources {
  readonly widgetId: string | null;
  readonly candidateId: string | null;
  readonly threadId: string | null;
  readonly decisionId: string | null;
  readonly requirementId: string | null;
}

/**
 * The kind-specific fields a proposal carries into `proposal.accepted.v1` (and nothing else):
 * duplicate_flag `candidate_id`, `duplicate_of_id`; requirement_draft `title`, `description`,
 * `category`, `severity`, `source_widget_id`, `source_thread_id`, `source_annotation_id`;
 * policy_flag `decision_id`, `policy_scope`, `constraint_note`; impl_proposal `title`,
 * `description`, `work_item_system`, `decision_id`, `requirement_id`. A summary has none.
 */
export type ProposalDetails = Partial<
  Omit<
    ProposalAcceptedV1,
    'proposal_id' | 'kind' | 'hub_id' | 'accepted_by' | 'accepted_at' | 'notes'
  >
>;

/** The fields an agent or reviewer may state itself (the rest come from the sources). */
export interface StatedDetails {
  candidate_id?: string;
  duplicate_of_id?: string;
  title?: string;
  description?: string;
  category?: ProposalDetails['category'];
  severity?: ProposalDetails['severity'];
  source_annotation_id?: string | null;
  policy_scope?: string;
  constraint_note?: string | null;
  work_item_system?: ProposalDetails['work_item_system'];
}

const defined = <T extends object>(o: T): T =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as T;

/** The details of a proposal of `kind`: what it states, completed from its sources. */
export function detailsFor(
  kind: ProposalKind,
  sources: ProposalSources,
  stated: StatedDetails,
): ProposalDetails {
  switch (kind) {
    case 'duplicate_flag':
      return defined({
        candidate_id: stated.candidate_id ?? sources.candidateId ?? undefined,
        duplicate_of_id: stated.duplicate_of_id,
      });
    case 'requirement_draft':
      return defined({
        title: stated.title,
        description: stated.description,
        category: stated.category,
        severity: stated.severity,
        source_widget_id: sources.widgetId ?? undefined,
        source_thread_id: sources.threadId,
        source_annotation_id: stated.source_annotation_id ?? null,
      });
    case 'policy_flag':
      return defined({
        decision_id: sources.decisionId ?? undefined,
        policy_scope: stated.policy_scope,
        constraint_note: stated.constraint_note ?? null,
      });
    case 'impl_proposal':
      return defined({
        title: stated.title,
        description: stated.description,
        work_item_system: stated.work_item_system ?? null,
        decision_id: sources.decisionId,
        requirement_id: sources.requirementId,
      });
    case 'summary':
      return {};
  }
}

/** The `proposal.accepted.v1` payload of a proposal accepted by `acceptedBy`. */
export function acceptedPayload(
  proposal: { id: string; kind: ProposalKind; hubId: string },
  details: ProposalDetails,
  acceptedBy: string,
  acceptedAt: Date,
  notes: string | null,
): ProposalAcceptedV1 {
  return {
    ...details,
    proposal_id: proposal.id,
    kind: proposal.kind,
    hub_id: proposal.hubId,
    accepted_by: acceptedBy,
    accepted_at: acceptedAt.toISOString(),
    notes,
  };
}

const EXAMPLE_ID = '00000000-0000-4000-8000-000000000000';

/**
 * Whether the services acting on an accepted proposal would take these details: checked
 * against the `proposal.accepted.v1` contract itself, so a proposal nobody could apply is
 * refused when it is posted (or edited), not dead-lettered after a person accepted it. An
 * `impl_proposal` also needs a decision or a requirement (governance's rule).
 */
export function detailsErrors(kind: ProposalKind, details: ProposalDetails): FieldError[] {
  const payload = acceptedPayload(
    { id: EXAMPLE_ID, kind, hubId: EXAMPLE_ID },
    details,
    EXAMPLE_ID,
    new Date(0),
    null,
  );
  const errors = validateSync(plainToInstance(AcceptedContract, payload), {
    forbidUnknownValues: true,
  }).flatMap((e: ValidationError) =>
    Object.entries(e.constraints ?? { invalid: `${e.property} is invalid` }).map(
      ([code, message]) => ({ field: fieldOf(e.property), code, message }),
    ),
  );
  if (kind === 'impl_proposal' && !details.decision_id && !details.requirement_id) {
    errors.push({
      field: 'source_requirement_id',
      code: 'required',
      message: 'an impl_proposal names a source_decision_id or a source_requirement_id',
    });
  }
  return errors;
}

/** Where the client sets a field of the accepted payload (sources or `details`). */
function fieldOf(property: string): string {
  const fromSources: Record<string, string> = {
    source_widget_id: 'source_widget_id',
    source_thread_id: 'source_thread_id',
    decision_id: 'source_decision_id',
    requirement_id: 'source_requirement_id',
  };
  return fromSources[property] ?? `details.${property}`;
}

/** Canonical JSON (sorted keys) so that equal details hash equally. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

/**
 * What makes two proposals identical: hub, kind, sources, content and details (not the agent,
 * model or confidence: the same advice twice is one proposal).
 */
export function proposalHash(
  hubId: string,
  kind: ProposalKind,
  sources: ProposalSources,
  content: string,
  details: ProposalDetails,
): string {
  return createHash('sha256')
    .update(canonical([hubId, kind, sources, content, details]))
    .digest('hex');
}
