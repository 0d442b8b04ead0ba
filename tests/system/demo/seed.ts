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
  return {
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

/** A password for a demo admin that identity's strength check accepts. */
export function demoPassword(): string {
  return `Demo-${randomBytes(12).toString('base64url')}`;
}
