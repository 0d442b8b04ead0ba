// Seeds a demo hub through the public APIs only: the hub with the SDK demo page's widgets and
// an API key, a user for each role, some weeks of synthetic interaction history with a friction
// pattern (history.ts), feedback on the widgets that show it, a triaged and accepted candidate
// promoted to a requirement, and a decision with a policy reference and a GitHub work item.
// One more piece of feedback is left untriaged for the visitor to try. Used by `npm run demo`
// and checked by tests/system/loop.system-spec.ts.
import { randomBytes } from 'node:crypto';
import { syntheticHistory } from './history.ts';
import { call } from '../loop/http.ts';
import {
  callDeploymentHook,
  deployerToken,
  expectedCounts,
  outcomeReport,
  type OutcomeReport,
} from '../loop/deployment-hops.ts';
import {
  annotationInFeedback,
  createRoleUsers,
  decide,
  promote,
  reportAnnotation,
  reportEvents,
  setUpHub,
  triage,
  type Hub,
  type Team,
  type Urls,
} from '../loop/loop.ts';

export interface SeedOptions {
  readonly days: number;
  readonly sessionsPerDay: number;
  readonly log?: (line: string) => void;
}

export interface SeededDemo {
  readonly hub: Hub;
  readonly team: Team;
  readonly history: { sent: number; accepted: number; rejected: number; from: string };
  readonly requirementId: string;
  readonly decisionId: string;
  readonly workItemRef: string;
  readonly untriagedAnnotationId: string;
  /** With deployment-outcomes: a pipeline's deployment of the decision, mid-history. */
  readonly deployment?: OutcomeReport;
}

export const DEMO_FEEDBACK = [
  {
    widget: 'reactProduct',
    body: 'I clicked "Add to cart" three times because nothing seemed to happen.',
    category: 'friction',
    severity: 'high',
  },
  {
    widget: 'reactProduct',
    body: 'The cart total does not change after adding the lamp.',
    category: 'bug',
    severity: 'high',
  },
  {
    widget: 'reactProduct',
    body: 'Please show a confirmation when something is added.',
    category: 'idea',
    severity: 'medium',
  },
] as const;

/** Feedback on the checkout that the demo leaves in the triage queue. */
export const UNTRIAGED_BODY =
  '"Place order" sometimes shows an error and I do not know whether I ordered.';

export async function seedDemo(
  urls: Urls,
  admin: { email: string; password: string },
  options: SeedOptions,
): Promise<SeededDemo> {
  const log = options.log ?? (() => undefined);
  const stamp = Date.now().toString(36);
  const slug = `demo-shop-${stamp}`;
  const hub = await setUpHub(urls, admin, { slug, name: `Demo shop ${stamp}` });
  log(`hub ${slug} (${hub.hubId}) with 7 widgets and an API key`);
  const team = await createRoleUsers(urls, hub, `${slug}.example.com`);
  log(
    `users: ${Object.values(team)
      .map((u) => u.email)
      .join(', ')}`,
  );

  const events = syntheticHistory({
    hubId: hub.hubId,
    widgets: hub.widgets,
    days: options.days,
    sessionsPerDay: options.sessionsPerDay,
    seed: 7,
  });
  const sent = await reportEvents(urls, hub, events);
  log(
    `history: ${events.length} events over ${options.days} days (${sent.accepted} accepted, ${sent.rejected.length} refused)`,
  );

  const notes = [];
  for (const note of DEMO_FEEDBACK) {
    const { id } = await reportAnnotation(urls, hub, {
      widget_id: hub.widgets[note.widget],
      body: note.body,
      category: note.category,
      severity: note.severity,
    });
    notes.push(id);
  }
  const untriaged = await reportAnnotation(urls, hub, {
    widget_id: hub.widgets.reactCheckout,
    body: UNTRIAGED_BODY,
    category: 'bug',
    severity: 'critical',
  });
  const stored = [];
  for (const note of DEMO_FEEDBACK)
    stored.push(await annotationInFeedback(urls, hub, team, note.body));
  await annotationInFeedback(urls, hub, team, UNTRIAGED_BODY);
  log(`feedback: ${stored.length + 1} annotations (one left untriaged)`);

  const { candidate } = await triage(urls, team, stored[0], {
    thread: 'Add to cart gives no feedback',
    candidate: 'Show the cart update right after "Add to cart"',
    description:
      'Rage clicks on "Add to cart" grew in the last two weeks; visitors say nothing happens.',
  });
  // The other notes about the same widget join the thread.
  await call(`${urls.feedback}/api/v1/threads/${candidate.source_thread_id}/annotations`, {
    token: team.triager.token,
    body: { annotation_ids: stored.slice(1).map((a) => a.id) },
  });
  const { requirement } = await promote(urls, team, candidate.id);
  const workItemRef = `acme/demo-shop#${100 + Math.floor(Math.random() * 900)}`;
  const { decision } = await decide(urls, team, requirement.id, {
    title: 'Animate the cart badge and show a toast on "Add to cart"',
    rationale: 'Visitors cannot tell that the click worked; rage clicks double-add products.',
    policyScope: 'ux/feedback-on-action',
    workItem: workItemRef,
  });
  log(`requirement ${requirement.id}, decision ${decision.id}, work item ${workItemRef}`);
  const deployment = urls.deployment
    ? await seedDeployment(urls, hub, team, workItemRef, options.days)
    : undefined;
  if (deployment) {
    log(
      `deployment ${deployment.deployment.id} of the decision at ${deployment.deployment.deployed_at} (CI pipeline), outcome measured`,
    );
  }
  return {
    deployment,
    hub,
    team,
    history: {
      sent: events.length,
      accepted: sent.accepted,
      rejected: sent.rejected.length,
      from: events[0]?.occurred_at ?? '',
    },
    requirementId: requirement.id,
    decisionId: decision.id,
    workItemRef,
    untriagedAnnotationId: untriaged.id,
  };
}

/**
 * A CI pipeline (a `deployer` client of the hub) reports that the decision's work item was
 * deployed in the middle of the history, with windows of half the history each; the outcome
 * report then compares the product widget before and after (the synthetic rage clicks grow in
 * the second half: the figures say the release did not help).
 */
async function seedDeployment(
  urls: Urls,
  hub: Hub,
  team: Team,
  workItemRef: string,
  days: number,
): Promise<OutcomeReport> {
  const half = Math.max(1, Math.floor(days / 2));
  const minute = 60_000;
  const deployedAt = new Date(Math.floor((Date.now() - half * 86_400_000) / minute) * minute);
  const token = await deployerToken(urls, hub, 'CI of acme/demo-shop');
  const deployment = await callDeploymentHook(urls, hub, token, {
    workItemRef,
    deployedAt,
    pipelineRunId: `github-actions/acme/demo-shop/run/${Date.now()}`,
    versionRef: 'v0.9.0',
    windowDays: half,
  });
  const expected = await expectedCounts(
    urls,
    hub,
    team,
    hub.widgets.reactProduct,
    deployment,
    new Date(),
  );
  return outcomeReport(urls, team, deployment.id, hub.widgets.reactProduct, expected, 90_000);
}

/** A password for a demo admin that identity's strength check accepts. */
export function demoPassword(): string {
  return `Demo-${randomBytes(12).toString('base64url')}`;
}
