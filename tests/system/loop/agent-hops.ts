// Hop 7 of the loop: agent-proposals' built-in agents read the stream and propose; a person
// decides. ihf-builtin/summaries@1 summarises a thread of two or more annotations,
// ihf-builtin/duplicates@1 flags the later of two near-identical candidates. The reviewer accepts
// the flag (feedback merges the duplicate into the kept candidate) and rejects the summary
// (nothing changes anywhere). Through the public HTTP APIs only.
import { allPages, call, eventually } from './http.ts';
import type { Candidate, Hub, Team, Urls } from './loop.ts';

export interface Proposal {
  readonly id: string;
  readonly hub_id: string;
  readonly kind: string;
  readonly model_ref: string;
  readonly confidence: number;
  readonly status: string;
  readonly source_candidate_id: string | null;
  readonly source_thread_id: string | null;
  readonly source_requirement_id?: string | null;
  readonly content: string;
  readonly details: Record<string, unknown>;
  readonly review?: { decision: string; reviewer_id: string } | null;
}

export interface Merge {
  readonly id: string;
  readonly duplicate_id: string;
  readonly kept_id: string;
  readonly source_proposal_id: string | null;
  readonly undone_at: string | null;
}

export function agentsUrl(urls: Urls): string {
  if (!urls.agents) throw new Error('agent-proposals is not part of this platform');
  return urls.agents;
}

/** The hub's pending proposals of one kind (every page). */
export function pendingProposals(urls: Urls, hub: Hub, team: Team, kind: string) {
  return allPages<Proposal>(
    `${agentsUrl(urls)}/api/v1/proposals?hub_id=${hub.hubId}&kind=${kind}&status=pending&limit=200`,
    team.reviewer.token,
  );
}

/** The duplicates agent's flag: `duplicateId` duplicates `keptId` (proposed once). */
export function duplicateFlag(
  urls: Urls,
  hub: Hub,
  team: Team,
  duplicateId: string,
  keptId: string,
  timeoutMs = 45_000,
): Promise<Proposal> {
  return eventually(
    'the duplicates agent flags the second candidate (feedback → NATS → agent-proposals)',
    async () =>
      (await pendingProposals(urls, hub, team, 'duplicate_flag')).find(
        (p) => p.details.candidate_id === duplicateId && p.details.duplicate_of_id === keptId,
      ),
    timeoutMs,
  );
}

/** The summaries agent's proposal for the thread (once it has read both annotation bodies). */
export function threadSummary(
  urls: Urls,
  hub: Hub,
  team: Team,
  threadId: string,
  timeoutMs = 45_000,
): Promise<Proposal> {
  return eventually(
    'the summaries agent summarises the thread (ingestion, feedback → NATS → agent-proposals)',
    async () =>
      (await pendingProposals(urls, hub, team, 'summary')).find(
        (p) => p.source_thread_id === threadId,
      ),
    timeoutMs,
  );
}

/** ihf-builtin/implementation@1's work-item draft for a promoted requirement. */
export function implementationDraft(
  urls: Urls,
  hub: Hub,
  team: Team,
  requirementId: string,
  timeoutMs = 45_000,
): Promise<Proposal> {
  return eventually(
    'the implementation agent drafts a work item (governance → NATS → agent-proposals)',
    async () =>
      (await pendingProposals(urls, hub, team, 'impl_proposal')).find(
        (p) => p.source_requirement_id === requirementId,
      ),
    timeoutMs,
  );
}

/** A person's review of a proposal (one per proposal: a second answers 409). */
export function review(
  urls: Urls,
  team: Team,
  proposalId: string,
  decision: 'accepted' | 'rejected',
  notes: string,
) {
  return call<Proposal>(`${agentsUrl(urls)}/api/v1/proposals/${proposalId}/review`, {
    token: team.reviewer.token,
    body: { decision, notes },
    expect: [200, 201],
  });
}

/**
 * The accepted flag applied: feedback shows the duplicate `duplicate` of the kept candidate,
 * and the kept candidate's merges name the proposal (ihf.agents.proposal.accepted.v1 → feedback).
 */
export async function mergedByFlag(
  urls: Urls,
  team: Team,
  duplicateId: string,
  keptId: string,
  timeoutMs = 45_000,
) {
  const duplicate = await eventually(
    'the duplicate merged in feedback (agent-proposals → NATS → feedback)',
    async () => {
      const c = await call<Candidate>(`${urls.feedback}/api/v1/candidates/${duplicateId}`, {
        token: team.triager.token,
      });
      return c.status === 'duplicate' ? c : undefined;
    },
    timeoutMs,
  );
  const { merges } = await call<{ merges: Merge[] }>(
    `${urls.feedback}/api/v1/candidates/${keptId}/merges`,
    { token: team.triager.token },
  );
  return { duplicate, merges };
}
