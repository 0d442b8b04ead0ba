import { allSubjects, CONSUMERS, subjectMatches } from '@ihf/contracts';

/** The consumers that fan events out to webhook endpoints, one per stream. */
export const WEBHOOK_CONSUMERS = [
  CONSUMERS.notifications_webhooks_ingestion,
  CONSUMERS.notifications_webhooks_feedback,
  CONSUMERS.notifications_webhooks_governance,
  CONSUMERS.notifications_webhooks_deployment,
  CONSUMERS.notifications_webhooks_agents,
] as const;

/**
 * The event types an endpoint may subscribe to: every subject of libs/contracts that one of
 * the webhook consumers captures (a subject added to the contracts is offered at once).
 */
export const WEBHOOK_EVENT_TYPES: readonly string[] = allSubjects().filter((s) =>
  WEBHOOK_CONSUMERS.some((c) => subjectMatches(c.filterSubject, s)),
);
