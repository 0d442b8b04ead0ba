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
  [Subjects.Governance.DecisionRecordedV1]: async (e, em) => {
    const p = e.payload;
    if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
    let candidateId = p.candidate_id ?? undefined;
    if (!candidateId && p.requirement_id) {
      candidateId = await R.candidateOfRequirement(em, p.requirement_id);
      // The promotion comes first, but the consumer may not have handled it yet: retried
      // (consumer back-off) while the decision is recent, told to the deciders only after.
      const recent = Date.now() - new Date(e.occurred_at).getTime() < READ_MODEL_LAG_MS;
      if (!candidateId && recent) {
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
