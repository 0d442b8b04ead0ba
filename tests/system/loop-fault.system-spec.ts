// The closed loop with a crash in the middle: for each service present, one run of the loop
// (through the public APIs, as the SDK and the people would send it) in which that service is
// killed with SIGKILL at a point where work of its own is in flight (outbox rows not yet
// relayed, messages being consumed), then started again on the same port. The loop must
// complete, and nothing may be lost or doubled: every event stored once, one annotation, one
// thread member, one candidate with one transition per step, one requirement, one decision,
// the work item closed once. The same client behaviour as the SDK's: a request that failed
// because the service was down is sent again (same ids) once it is back.
// Artifacts (loop-fault-trace.json, service logs): .artifacts/system/loop-fault/.
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestBus, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { Platform, presentServices } from './harness/platform.ts';
import { duplicateFlag, mergedByFlag, review } from './loop/agent-hops.ts';
import { deployAndMeasure } from './loop/deployment-hops.ts';
import { allPages, call, eventually } from './loop/http.ts';
import {
  LoopTrace,
  annotationInFeedback,
  closeWorkItem,
  createRoleUsers,
  decide,
  login,
  promote,
  readTrace,
  reportAnnotation,
  reportEvents,
  setUpHub,
  storedEvents,
  acceptCandidate,
  escalate,
  type Hub,
  type ReportedEvent,
  type Team,
  type Urls,
} from './loop/loop.ts';

const ROOT = join(__dirname, '../..');
const ARTIFACTS = join(ROOT, '.artifacts/system/loop-fault');
const SERVICES = presentServices(ROOT);
const EVENTS_PER_RUN = 40;

/**
 * Where each service is killed: right after the hop that left work of its own in flight.
 * `feedback`: the annotation was accepted by ingestion (its outbox row may not be relayed yet;
 * feedback may be consuming it). `new-reviewer`: identity answered 201 to a new reviewer of the
 * hub (user.created may still be in its outbox; feedback needs it to accept the assignment).
 * `promotion`: governance answered 201 to the promotion (its requirement.promoted event may
 * still be in its outbox). Services added later default to `feedback` until their own hop
 * exists. `escalation`: feedback answered 201 to the two near-identical candidates.
 * `deployment-hook`: the deployment hook answered and the events after it were accepted.
 */
const KILL_AFTER: Record<
  string,
  'feedback' | 'new-reviewer' | 'promotion' | 'escalation' | 'deployment-hook'
> = {
  identity: 'new-reviewer',
  governance: 'promotion',
  // The two candidates were created: agent-proposals may be consuming their events, its
  // duplicate flag may be in its outbox.
  'agent-proposals': 'escalation',
  // The hook answered 201 (deployment.recorded maybe unsent) and the after-events were
  // accepted (the rollup may be inside a batch's transaction).
  'deployment-outcomes': 'deployment-hook',
};

let env: TestEnvironment | undefined;
/** Reads what the services published in this file's namespace (real NATS, read only). */
let bus: TestBus | undefined;
let platform: Platform;
let urls: Urls;
let hub: Hub;
let team: Team;
const traces: Record<string, LoopTrace> = {};
const admin = {
  email: 'admin@loop-fault.test',
  password: `fault-${randomBytes(12).toString('base64url')}`,
};

beforeAll(async () => {
  rmSync(ARTIFACTS, { recursive: true, force: true });
  env = await createTestEnvironment();
  platform = await Platform.start({
    root: ROOT,
    services: SERVICES,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail: admin.email,
    adminPassword: admin.password,
    logDir: join(ARTIFACTS, 'logs'),
  });
  urls = {
    identity: platform.url('identity'),
    ingestion: platform.url('ingestion'),
    feedback: platform.url('feedback'),
    governance: platform.url('governance'),
    agents: platform.url('agent-proposals'),
    deployment: platform.url('deployment-outcomes'),
  };
  bus = await TestBus.connect(env.natsUrl, env.natsNamespace);
  hub = await setUpHub(urls, admin, { slug: 'fault-shop', name: 'Fault shop' });
  team = await createRoleUsers(urls, hub, 'loop-fault.test');
}, 180_000);

afterAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'loop-fault-trace.json'), `${JSON.stringify(traces, null, 2)}\n`);
  console.log(`system loop-fault artifacts (loop-fault-trace.json, logs/): ${ARTIFACTS}`);
  const pids = platform?.pids() ?? [];
  try {
    await bus?.close();
    await platform?.stop();
  } finally {
    await env?.teardown();
  }
  const alive = pids.filter((pid) => {
    try {
      process.kill(pid, 0);
      return true;
    } catch {
      return false;
    }
  });
  if (alive.length) throw new Error(`service processes still running: ${alive.join(', ')}`);
}, 60_000);

/** Sends `send` until it succeeds: the SDK's behaviour when the service is down. */
async function resend<T>(what: string, send: () => Promise<T>): Promise<T> {
  return eventually(what, send, 90_000);
}

describe('the closed loop survives a kill -9 of any one service in the middle', () => {
  it('runs every service present (the loop and the fault runs cover them all)', () => {
    expect(SERVICES).toEqual(
      expect.arrayContaining(['identity', 'ingestion', 'feedback', 'governance']),
    );
  });

  it.each(SERVICES)(
    'kill -9 %s mid-loop, restart it: the loop completes, nothing lost or doubled',
    async (victim) => {
      const trace = (traces[victim] = new LoopTrace());
      const service = platform.service(victim);
      const killAfter = KILL_AFTER[victim] ?? 'feedback';
      const crash = async () => {
        const pid = service.pid;
        const restartMs = await service.killAndRestart();
        trace.record(`kill -9 ${victim}`, {
          killed_pid: pid,
          restarted_pid: service.pid,
          after: killAfter,
          ready_again_ms: restartMs,
        });
      };
      const since = new Date(Date.now() - 60_000).toISOString();
      const widgetId = hub.widgets.reactCheckout;
      const events: ReportedEvent[] = Array.from({ length: EVENTS_PER_RUN }, (_, i) => ({
        id: randomUUID(),
        widget_id: widgetId,
        hub_id: hub.hubId,
        event_type: i % 4 === 0 ? 'submitted' : i % 4 === 1 ? 'viewed' : 'clicked',
        occurred_at: new Date(Date.now() - (EVENTS_PER_RUN - i) * 100).toISOString(),
        view_context_ref: 'demo/checkout',
      }));
      const body = `Checkout button does nothing on the first click (${victim}, ${randomUUID()})`;

      // Interactions and feedback; then the crash (for all but governance).
      const first = await trace.hop('interactions', () => reportEvents(urls, hub, events));
      expect(first).toEqual({ accepted: EVENTS_PER_RUN, duplicate: 0, rejected: [] });
      await trace.hop('feedback', () =>
        reportAnnotation(urls, hub, {
          widget_id: widgetId,
          body,
          category: 'bug',
          severity: 'critical',
        }),
      );
      if (killAfter === 'feedback') await crash();
      // The SDK resends what it is not sure about, with the same ids: all duplicates.
      const again = await resend('the resent batch', () => reportEvents(urls, hub, events));
      expect(again).toEqual({ accepted: 0, duplicate: EVENTS_PER_RUN, rejected: [] });

      const annotation = await trace.hop('annotation in feedback', () =>
        annotationInFeedback(urls, hub, team, body, 90_000),
      );
      let crew = team;
      if (killAfter === 'new-reviewer') {
        // A reviewer who joins now: identity's events about them are what the crash may hold up.
        const email = `reviewer-${victim}-${Date.now()}@loop-fault.test`;
        const password = `Pw-${randomBytes(12).toString('base64url')}`;
        const joined = await call<{ id: string }>(`${urls.identity}/api/v1/users`, {
          token: hub.adminToken,
          body: {
            email,
            name: 'Late reviewer',
            password,
            roles: ['reviewer'],
            hub_ids: [hub.hubId],
          },
          expect: [201],
        });
        await crash();
        const token = await resend('a sign-in after the restart', () =>
          login(urls.identity, email, password),
        );
        crew = { ...team, reviewer: { id: joined.id, email, password, role: 'reviewer', token } };
      }
      const reviewerId = crew.reviewer.id;
      const { thread, candidate, duplicate } = await trace.hop('escalation', () =>
        escalate(urls, crew, [annotation], {
          thread: `First click lost (${victim})`,
          candidate: `Checkout must react to the first click (${victim})`,
          description: 'Visitors click "Place order" twice.',
          duplicate: `The checkout must react to the first click (${victim})`,
        }),
      );
      if (killAfter === 'escalation') await crash();
      const flag = await trace.hop('agents', async () => {
        const proposed = await duplicateFlag(urls, hub, crew, duplicate!.id, candidate.id, 90_000);
        await review(urls, crew, proposed.id, 'accepted', 'same report');
        await mergedByFlag(urls, crew, duplicate!.id, candidate.id, 90_000);
        return proposed;
      });
      await trace.hop('review', () => acceptCandidate(urls, crew, candidate.id, 90_000));
      const { requirement } = await trace.hop('promotion', async () => {
        if (killAfter !== 'promotion') return promote(urls, team, candidate.id);
        const made = await call<{ id: string }>(`${urls.governance}/api/v1/requirements`, {
          token: team.governor.token,
          body: { candidate_id: candidate.id },
          expect: [201],
        });
        await crash();
        const promoted = await eventually(
          'the candidate promoted in feedback after the crash',
          async () => {
            const c = await call<{ status: string; requirement_id: string | null }>(
              `${urls.feedback}/api/v1/candidates/${candidate.id}`,
              { token: team.triager.token },
            );
            return c.status === 'promoted' ? c : undefined;
          },
          90_000,
        );
        return { requirement: made, candidate: promoted };
      });
      const workItemRef = `acme/checkout#${100 + SERVICES.indexOf(victim)}`;
      const { decision } = await trace.hop('decision', () =>
        decide(urls, team, requirement.id, {
          title: `Debounce the order button (${victim})`,
          rationale: 'The first click must count.',
          policyScope: 'ux/checkout',
          workItem: workItemRef,
        }),
      );
      const hook = await trace.hop('webhook', () => closeWorkItem(urls, team, hub, workItemRef));
      expect(hook.replay).toEqual({ result: 'duplicate', items_changed: 0 });
      const t = await trace.hop('trace', () => readTrace(urls, team, requirement.id, 90_000));
      const deployed = await trace.hop('deployment', () =>
        deployAndMeasure(urls, hub, team, {
          workItemRef,
          widgetId,
          pipeline: `CI (${victim})`,
          before: { viewed: 30, clicked: 6 },
          after: { viewed: 30, clicked: 12 },
          afterHook: killAfter === 'deployment-hook' ? crash : undefined,
          timeoutMs: 90_000,
        }),
      );
      expect(deployed.retried.id).toBe(deployed.deployment.id);
      expect(deployed.expected.after.viewed).toBeGreaterThanOrEqual(30);
      expect(deployed.expected.after.clicked).toBeGreaterThanOrEqual(12);

      // Nothing lost, nothing doubled.
      const ours = new Set(events.map((e) => e.id));
      const stored = (await storedEvents(urls, hub, team.viewer.token, since)).filter((e) =>
        ours.has(e.id),
      );
      expect(stored).toHaveLength(EVENTS_PER_RUN);
      expect(new Set(stored.map((e) => e.id)).size).toBe(EVENTS_PER_RUN);
      const notes = (
        await allPages<{ id: string; body: string; thread_id: string | null }>(
          `${urls.feedback}/api/v1/annotations?hub_id=${hub.hubId}&limit=200`,
          team.triager.token,
        )
      ).filter((a) => a.body === body);
      expect(notes.map((a) => [a.id, a.thread_id])).toEqual([[annotation.id, thread.id]]);
      const history = await call<{ transitions: { status: string }[] }>(
        `${urls.feedback}/api/v1/candidates/${candidate.id}/history`,
        { token: team.triager.token },
      );
      expect(history.transitions.map((s) => s.status).sort()).toEqual(
        ['accepted', 'in_review', 'open', 'promoted'].sort(),
      );
      const requirements = (
        await allPages<{ id: string; source_candidate_id: string }>(
          `${urls.governance}/api/v1/requirements?hub_id=${hub.hubId}&limit=200`,
          team.viewer.token,
        )
      ).filter((r) => r.source_candidate_id === candidate.id);
      expect(requirements.map((r) => r.id)).toEqual([requirement.id]);
      expect(t.decisions.map((d) => d.id)).toEqual([decision.id]);
      expect(t.decisions[0].work_items).toEqual([
        expect.objectContaining({ work_item_ref: workItemRef, state: 'closed' }),
      ]);
      expect(t.candidate).toMatchObject({ id: candidate.id, status: 'promoted' });
      expect(service.starts).toBe(2);
      const kept = await call<{ reviewer_id: string | null }>(
        `${urls.feedback}/api/v1/candidates/${candidate.id}`,
        { token: team.triager.token },
      );
      expect(kept.reviewer_id).toBe(reviewerId);
      // One duplicate flag for the pair, merged once.
      const flags = (
        await allPages<{ id: string; details: { candidate_id?: string } }>(
          `${urls.agents}/api/v1/proposals?hub_id=${hub.hubId}&kind=duplicate_flag&status=accepted&limit=200`,
          team.reviewer.token,
        )
      ).filter((p) => p.details.candidate_id === duplicate!.id);
      expect(flags.map((p) => p.id)).toEqual([flag.id]);
      const { merges } = await call<{ merges: { duplicate_id: string }[] }>(
        `${urls.feedback}/api/v1/candidates/${candidate.id}/merges`,
        { token: team.triager.token },
      );
      expect(merges.map((m) => m.duplicate_id)).toEqual([duplicate!.id]);
      // One deployment for the pipeline run, one deployment.recorded event.
      expect(
        await bus!.events(
          'IHF_DEPLOYMENT',
          'ihf.deployment.deployment.recorded.v1',
          (e) => e.aggregate_id === deployed.deployment.id,
        ),
      ).toHaveLength(1);

      // On the bus too: each event published once (the outbox relays resend after a crash;
      // JetStream's de-duplication by Nats-Msg-Id = event id absorbs that).
      const recorded = await bus!.events(
        'IHF_EVENTS',
        'ihf.ingestion.interaction.recorded.v1',
        (e) => ours.has(e.event_id),
      );
      expect(recorded).toHaveLength(EVENTS_PER_RUN);
      expect(
        await bus!.events(
          'IHF_FEEDBACK',
          'ihf.feedback.annotation.created.v1',
          (e) => e.aggregate_id === annotation.id,
        ),
      ).toHaveLength(1);
      if (killAfter === 'new-reviewer') {
        expect(
          await bus!.events(
            'IHF_IDENTITY',
            'ihf.identity.user.created.v1',
            (e) => e.aggregate_id === reviewerId,
          ),
        ).toHaveLength(1);
      }
      expect(
        await bus!.events(
          'IHF_GOVERNANCE',
          'ihf.governance.requirement.promoted.v1',
          (e) => e.aggregate_id === requirement.id,
        ),
      ).toHaveLength(1);
    },
    240_000,
  );
});
