// Steady demo traffic for the renderer, through the public APIs only: what the SDK on a busy
// page sends (batches of interaction events, now and then an annotation), people reading their
// queues, and the errors a real platform sees (a wrong API key, an invalid body, an unknown id,
// a failed sign-in, a burst over the hub's rate limit), so that the error panels have data too;
// and the workflow behind the feedback (triage, promotion), so that every service's consumers
// handle events while Prometheus watches.
import { randomUUID } from 'node:crypto';
import { annotationInFeedback, promote, triage } from '../../../tests/system/loop/loop.ts';

const EVENT_TYPES = ['viewed', 'viewed', 'viewed', 'clicked', 'clicked', 'submitted'];
const NOTES = [
  ['friction', 'medium', 'The filter resets when I go back to the list.'],
  ['bug', 'high', 'The cart badge shows 0 after adding an item.'],
  ['idea', 'low', 'A dark mode would be nice for the checkout.'],
  ['friction', 'high', '"Place order" takes very long and shows no progress.'],
];

/**
 * Drives traffic for `seconds`, then waits for what is in flight. Resolves with the count of
 * answers per `service status`. Every loop is bounded by the deadline; an answer nobody
 * expected is counted, never thrown, so one slow call does not end the run.
 */
export async function driveTraffic({ urls, hub, team, seconds, log }) {
  const counts = new Map();
  const deadline = Date.now() + seconds * 1000;
  const hit = async (service, path, { method, token, body } = {}) => {
    let status;
    try {
      const response = await fetch(`${urls[service]}${path}`, {
        method: method ?? (body === undefined ? 'GET' : 'POST'),
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(token ? { authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(20_000),
      });
      await response.arrayBuffer();
      status = response.status;
    } catch {
      status = 'failed';
    }
    const key = `${service} ${status}`;
    counts.set(key, (counts.get(key) ?? 0) + 1);
    return status;
  };
  const widgets = Object.values(hub.widgets);
  const pick = (list) => list[Math.floor(Math.random() * list.length)];
  const events = (n) =>
    Array.from({ length: n }, () => ({
      id: randomUUID(),
      hub_id: hub.hubId,
      widget_id: pick(widgets),
      event_type: pick(EVENT_TYPES),
      occurred_at: new Date().toISOString(),
      actor_id: randomUUID(),
      metadata: { source: 'ihf-observability-render' },
    }));
  const every = async (ms, tick) => {
    while (Date.now() < deadline) {
      const started = Date.now();
      await tick();
      await new Promise((r) => setTimeout(r, Math.max(0, ms - (Date.now() - started))));
    }
  };
  const report = (n) =>
    hit('ingestion', '/api/v1/interaction-events', {
      token: hub.apiKey,
      body: { events: events(n) },
    });
  const viewer = team.viewer.token;
  let note = 0;
  let fault = 0;
  const reported = [];
  log(`Driving traffic for ${seconds} s...`);
  await Promise.all([
    // The SDK: a batch of 5-20 events from some page every 250 ms.
    every(250, () => report(5 + Math.floor(Math.random() * 16))),
    // Feedback through the SDK's dialog (ingestion -> outbox -> feedback, agents, notifications).
    every(4_000, async () => {
      const [category, severity, text] = NOTES[note % NOTES.length];
      // Numbered, so that the triage loop below finds this very note in feedback.
      const body = `${text} (#${++note})`;
      const status = await hit('ingestion', '/api/v1/annotations', {
        token: hub.apiKey,
        body: {
          id: randomUUID(),
          hub_id: hub.hubId,
          widget_id: pick(widgets),
          body,
          category,
          severity,
        },
      });
      if (status === 202) reported.push(body);
    }),
    // The triager escalates the latest note to a candidate, the governor promotes it: events
    // from feedback to governance, agent-proposals, notifications, and back.
    every(15_000, async () => {
      const body = reported.at(-1);
      if (!body || Date.now() > deadline - 10_000) return;
      reported.length = 0;
      try {
        const stored = await annotationInFeedback(urls, hub, team, body, 10_000);
        const { candidate } = await triage(
          urls,
          team,
          stored,
          {
            thread: `Reported on the demo page: ${body.slice(0, 40)}`,
            candidate: `Fix: ${body.slice(0, 60)}`,
            description: 'Escalated by the render run.',
          },
          10_000,
        );
        await promote(urls, team, candidate.id, 10_000);
        counts.set('workflow promoted', (counts.get('workflow promoted') ?? 0) + 1);
      } catch (error) {
        counts.set('workflow failed', (counts.get('workflow failed') ?? 0) + 1);
        log(
          `triage and promotion failed: ${error instanceof Error ? error.message : String(error)}`,
        );
      }
    }),
    // People at work: the triage queue, requirements, proposals, the inbox, scorecards.
    every(1_500, async () => {
      await hit('feedback', `/api/v1/triage/queue?hub_id=${hub.hubId}`, { token: viewer });
      await hit('feedback', `/api/v1/annotations?hub_id=${hub.hubId}&limit=20`, { token: viewer });
      await hit('governance', `/api/v1/requirements?hub_id=${hub.hubId}`, { token: viewer });
      if (urls.agents)
        await hit('agents', `/api/v1/proposals?hub_id=${hub.hubId}`, { token: viewer });
      if (urls.deployment)
        await hit('deployment', `/api/v1/hubs/${hub.hubId}/friction`, { token: viewer });
      if (urls.notifications) await hit('notifications', '/api/v1/inbox', { token: viewer });
    }),
    // What goes wrong: 401 (wrong key, failed sign-in, signed out), 400 (invalid body), 404, 403.
    every(2_000, async () => {
      switch (fault++ % 8) {
        case 0:
          return hit('ingestion', '/api/v1/interaction-events', {
            token: 'ihf_wrong_key',
            body: { events: events(1) },
          });
        case 1:
          return hit('ingestion', '/api/v1/interaction-events', {
            token: hub.apiKey,
            body: { events: 'not a list' },
          });
        case 2:
          return hit('feedback', `/api/v1/annotations/${randomUUID()}`, { token: viewer });
        case 3:
          // An address nobody has: no real account is locked out by it.
          return hit('identity', '/api/v1/auth/login', {
            body: { email: `nobody-${randomUUID()}@example.com`, password: 'wrong-password-1' },
          });
        case 4:
          // A viewer may not promote anything.
          return hit('governance', '/api/v1/requirements', { token: viewer, body: {} });
        case 5:
          return (
            urls.agents && hit('agents', `/api/v1/proposals/${randomUUID()}`, { token: viewer })
          );
        case 6:
          return (
            urls.deployment &&
            hit('deployment', `/api/v1/deployments/${randomUUID()}/outcome`, { token: viewer })
          );
        default:
          // Signed out.
          return urls.notifications && hit('notifications', '/api/v1/inbox');
      }
    }),
    // Twice a minute a page floods the hub: more events at once than its burst allows (429).
    every(30_000, async () => {
      if (Date.now() > deadline - 5_000) return;
      await Promise.all(Array.from({ length: 8 }, () => report(500)));
    }),
  ]);
  return counts;
}
