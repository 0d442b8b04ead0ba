import { type EntityManager } from '@mikro-orm/core';
import { type EventEnvelope, type PayloadOf, Subjects, type Subject } from '@ihf/contracts';
import { NonRetryableError } from '@ihf/messaging';
import { type Recipient, RecipientsRepository as R } from '../recipients/recipients.repository.js';

/** What one event tells people: who, in which hub, and the words of the inbox item and mail. */
export interface Notice {
  readonly hubId: string | null;
  readonly recipients: readonly Recipient[];
  readonly title: string;
  readonly body: string;
  /** Who caused it: not told of their own act. */
  readonly actorId: string | null;
}

/** Turns one event into a notice (undefined: nobody needs to hear of it). */
export type NoticeRule<S extends Subject> = (
  e: EventEnvelope<PayloadOf<S>, S>,
  em: EntityManager,
) => Promise<Notice | undefined>;

/** How long an event may wait for the read model to catch up with the one it follows. */
const READ_MODEL_LAG_MS = 10 * 60_000;

/** The roles of a hub that hear of its requirements and decisions besides the followers. */
const HUB_DECIDERS = ['governor', 'admin'] as const;

/** Whether an event is recent enough that a missing read-model row may still arrive. */
const isRecent = (e: { occurred_at: string }): boolean =>
  Date.now() - new Date(e.occurred_at).getTime() < READ_MODEL_LAG_MS;

const unionById = (...lists: (readonly Recipient[])[]): Recipient[] => [
  ...new Map(lists.flat().map((r) => [r.user_id, r])).values(),
];

const quoted = (title: string | undefined): string => (title ? `“${title}”` : 'A candidate');

/**
 * The events people hear of, one entry each. Adding an event (deployment recorded, outcome
 * measured, candidate merged, …) is one entry here; its stream's consumer
 * (`CONSUMERS.notifications_*`) picks it up by subject.
 */
export const NOTICE_RULES: { readonly [S in Subject]?: NoticeRule<S> } = {
  [Subjects.Feedback.CandidateStatusChangedV1]: async (e, em) => {
    const p = e.payload;
    // A promotion is told by governance's requirement.promoted, with the requirement.
    if (p.to === 'promoted') return undefined;
    const title = await R.candidateTitle(em, p.candidate_id);
    return {
      hubId: e.hub_id ?? null,
      recipients: await R.followers(em, p.candidate_id),
      title: `${quoted(title)} is now ${p.to.replace('_', ' ')}`,
      body: [
        `The feedback you gave moved from ${p.from.replace('_', ' ')} to ${p.to.replace('_', ' ')}.`,
        p.notes ? `Notes: ${p.notes}` : '',
      ]
        .filter(Boolean)
        .join('\n'),
      actorId: p.changed_by,
    };
  },
  [Subjects.Governance.RequirementPromotedV1]: async (e, em) => {
    const p = e.payload;
    const title = await R.candidateTitle(em, p.candidate_id);
    return {
      hubId: p.hub_id,
      recipients: unionById(
        await R.followers(em, p.candidate_id),
        await R.withRoleInHub(em, p.hub_id, HUB_DECIDERS),
      ),
      title: `${quoted(title)} became a requirement`,
      body: `The feedback was promoted to requirement ${p.requirement_id}; a decision on it follows.`,
      actorId: p.promoted_by,
    };
  },
  [Subjects.Feedback.CandidateMergedV1]: async (e, em) => {
    const p = e.payload;
    const kept = await R.candidateTitle(em, p.kept_id);
    return {
      hubId: e.hub_id ?? null,
      // The merge moves the duplicate's followers to the kept candidate; both lists, whichever
      // of the subscription events this consumer has handled first.
      recipients: unionById(
        await R.followers(em, p.duplicate_id),
        await R.followers(em, p.kept_id),
      ),
      title: `${quoted(await R.candidateTitle(em, p.duplicate_id))} was merged into ${quoted(kept)}`,
      body: `The same request was reported more than once; it is followed as ${quoted(kept)} from now on, with ${p.kept_vote_count} vote(s).`,
      actorId: p.merged_by,
    };
  },
  [Subjects.Deployment.DeploymentRecordedV1]: async (e, em) => {
    const p = e.payload;
    if (!p.requirement_id) return undefined;
    const candidateId = await R.candidateOfRequirement(em, p.requirement_id);
    // The promotion comes days before, but on another consumer: retried while recent.
    if (!candidateId && isRecent(e)) {
      throw new Error(`requirement ${p.requirement_id} is not in the read model yet`);
    }
    if (!candidateId) return undefined;
    return {
      hubId: e.hub_id ?? null,
      recipients: await R.followers(em, candidateId),
      title: `The change you asked for shipped: ${quoted(await R.candidateTitle(em, candidateId))}`,
      body: `Version ${p.version_ref} was deployed to ${p.environment} at ${p.deployed_at}. Its effect on the widgets is measured until ${p.final_at}; you will hear what it did.`,
      actorId: p.deployed_by,
    };
  },
  [Subjects.Deployment.OutcomeMeasuredV1]: async (e, em) => {
    const p = e.payload;
    // Provisional figures change while the after-window is open: only the final one is told.
    if (p.phase !== 'final') return undefined;
    const candidateId = await R.candidateOfDeployment(em, p.deployment_id);
    if (!candidateId && isRecent(e)) {
      throw new Error(`deployment ${p.deployment_id} is not in the read model yet`);
    }
    if (!candidateId) return undefined;
    return {
      hubId: e.hub_id ?? null,
      recipients: await R.followers(em, candidateId),
      title: `Here is what the change did: ${quoted(await R.candidateTitle(em, candidateId))}`,
      body: `The outcome of deployment ${p.deployment_id} is measured: ${p.signals} signal(s) on ${p.widget_ids.length} widget(s)${p.not_enough_data ? `, ${p.not_enough_data} with not enough data yet` : ''}. The outcome report has the before and after figures.`,
      actorId: null,
    };
  },
  [Subjects.Governance.DecisionRecordedV1]: async (e, em) => {
    const p = e.payload;
    if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
    let candidateId = p.candidate_id ?? undefined;
    if (!candidateId && p.requirement_id) {
      candidateId = await R.candidateOfRequirement(em, p.requirement_id);
      // The promotion comes first, but the consumer may not have handled it yet: retried
      // (consumer back-off) while the decision is recent, told to the deciders only after.
      if (!candidateId && isRecent(e)) {
        throw new Error(`requirement ${p.requirement_id} is not in the read model yet`);
      }
    }
    return {
      hubId: e.hub_id,
      recipients: unionById(
        candidateId ? await R.followers(em, candidateId) : [],
        await R.withRoleInHub(em, e.hub_id, HUB_DECIDERS),
      ),
      title: `Decision: ${p.title} (${p.outcome})`,
      body: candidateId
        ? `A decision was recorded on ${quoted(await R.candidateTitle(em, candidateId))}: ${p.outcome}.`
        : `A decision was recorded: ${p.outcome}.`,
      actorId: p.decided_by,
    };
  },
};
