// The closed loop, end to end, against the platform as separate processes (each service's
// built dist/main.js, on this file's own database and bus namespace, free loopback ports):
// the SDK demo shop page in headless Chromium reports views and clicks and a visitor's feedback
// through the in-page dialog; the feedback reaches the feedback service; a triager groups it
// into a thread and escalates it; the assigned reviewer accepts the candidate; a governor
// promotes it, records a decision with a policy reference and a GitHub work item; a signed
// GitHub webhook closes the item; the requirement's trace shows every link. Between triage and
// review the built-in agents propose a thread summary and a duplicate flag, which the reviewer
// rejects and accepts (feedback merges the duplicate); after the work item is closed a CI
// pipeline reports the deployment, the widget's interactions before and after it are compared
// in the outcome report, and a person evaluates it once.
// Artifacts (screenshots, loop-trace.json, service logs): .artifacts/system/loop/.
import { randomBytes, randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { TestBus, createTestEnvironment, type TestEnvironment } from '@ihf/testing';
import { CHROMIUM_PATH } from '../../libs/sdk-web/e2e/chromium.ts';
import { syntheticHistory } from './demo/history.ts';
import { DEMO_FEEDBACK, seedDemo } from './demo/seed.ts';
import { Platform } from './harness/platform.ts';
import { allPages, call, eventually, type HttpError } from './loop/http.ts';
import {
  openDemoBrowser,
  browseAndClick,
  leaveFeedback,
  type DemoBrowser,
} from './loop/browser-hops.ts';
import {
  duplicateFlag,
  implementationDraft,
  mergedByFlag,
  review,
  threadSummary,
} from './loop/agent-hops.ts';
import { deployAndMeasure, evaluate, figure, type OutcomeReport } from './loop/deployment-hops.ts';
import {
  LoopTrace,
  acceptCandidate,
  annotationInFeedback,
  escalate,
  closeWorkItem,
  createRoleUsers,
  decide,
  promote,
  readTrace,
  reportAnnotation,
  reportEvents,
  setUpHub,
  storedEvents,
  type Hub,
  type Team,
  type Trace,
  type Urls,
} from './loop/loop.ts';

const ROOT = join(__dirname, '../..');
const ARTIFACTS = join(ROOT, '.artifacts/system/loop');
const CLICKS = 3;
const CANDIDATE_TITLE = 'Refresh the cart total after "Add to cart"';
const SECOND_BODY = `After adding to the cart the total price is not updated (${Date.now()})`;

let env: TestEnvironment | undefined;
let platform: Platform | undefined;
let demo: DemoBrowser | undefined;
/** Reads what the services published in this file's namespace (real NATS, read only). */
let bus: TestBus | undefined;
const trace = new LoopTrace();
const admin = {
  email: 'admin@loop.test',
  password: `loop-${randomBytes(12).toString('base64url')}`,
};
let urls: Urls;
let hub: Hub;
let team: Team;

beforeAll(async () => {
  if (!existsSync(CHROMIUM_PATH)) {
    throw new Error(
      `${CHROMIUM_PATH} is missing: apt-get install -y chromium (or set IHF_CHROMIUM)`,
    );
  }
  rmSync(ARTIFACTS, { recursive: true, force: true });
  mkdirSync(ARTIFACTS, { recursive: true });
  env = await createTestEnvironment();
  platform = await Platform.start({
    root: ROOT,
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
}, 180_000);

afterAll(async () => {
  mkdirSync(ARTIFACTS, { recursive: true });
  writeFileSync(join(ARTIFACTS, 'loop-trace.json'), `${JSON.stringify(trace, null, 2)}\n`);
  console.log(`system loop artifacts (screenshots, loop-trace.json, logs/): ${ARTIFACTS}`);
  const pids = platform?.pids() ?? [];
  try {
    await demo?.close();
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

// The hops depend on each other: each test is one hop, in order; a failed hop fails the rest.
describe('the closed loop, from a click in the browser to a closed work item', () => {
  const body = `The price does not update after "Add to cart" (${Date.now()})`;
  let annotationId: string;
  let candidateId: string;
  let duplicateId: string;
  let secondAnnotationId: string;
  let implProposalId: string;
  let threadId: string;
  let requirementId: string;
  let decisionId: string;
  const workItemRef = `acme/shop#${1000 + Math.floor(Math.random() * 9000)}`;

  it('1-2. sets up a hub with the demo widgets, an API key and a user for each role', async () => {
    hub = await setUpHub(urls, admin, { slug: 'loop-shop', name: 'Loop shop' });
    // The trace keeps ids, never the API key or tokens.
    trace.record('hub', { hub_id: hub.hubId, slug: hub.slug, widgets: hub.widgets });
    team = await createRoleUsers(urls, hub, 'loop.test');
    trace.record(
      'users',
      Object.fromEntries(Object.entries(team).map(([r, u]) => [r, { id: u.id, email: u.email }])),
    );
    expect(Object.keys(hub.widgets)).toHaveLength(7);
    expect(hub.apiKey).toMatch(/^ihf_/);
  });

  it('3. the SDK in Chromium reports views and clicks, each stored once', async () => {
    demo = await openDemoBrowser(ROOT, urls.ingestion, hub);
    const page = await demo.newPage();
    const since = new Date(Date.now() - 60_000).toISOString();
    await trace.hop('interactions', async () => {
      await browseAndClick(page, ARTIFACTS, CLICKS);
      const rows = await eventuallyEvents(since);
      return { stored: rows.length, by_type: countBy(rows.map((r) => r.event_type)) };
    });
    const rows = await storedEvents(urls, hub, team.viewer.token, since);
    const clicks = rows.filter(
      (r) => r.widget_id === hub.widgets.reactProduct && r.event_type === 'clicked',
    );
    expect(clicks).toHaveLength(CLICKS);
    expect(
      rows.some((r) => r.widget_id === hub.widgets.reactProduct && r.event_type === 'viewed'),
    ).toBe(true);
    // Every id the browser saw accepted is stored exactly once, and nothing was refused.
    expect(demo.reporting.rejected).toEqual([]);
    const perId = countBy(rows.map((r) => r.id));
    expect(Object.values(perId).filter((n) => n !== 1)).toEqual([]);
    expect([...demo.reporting.acceptedIds().keys()].filter((id) => perId[id] !== 1)).toEqual([]);
    await page.close();
  });

  it('4-5. feedback left in the in-page dialog arrives in the feedback service', async () => {
    const page = await demo!.newPage();
    const stored = await trace.hop('feedback', async () => {
      await leaveFeedback(page, ARTIFACTS, {
        body,
        category: 'friction',
        severity: 'high',
        widgetLabel: 'Product (demo/product)',
      });
      return annotationInFeedback(urls, hub, team, body);
    });
    await page.close();
    expect(stored).toMatchObject({
      hub_id: hub.hubId,
      widget_id: hub.widgets.reactProduct,
      category: 'friction',
      severity: 'high',
      source: 'ingestion',
      widget_version: 1,
    });
    annotationId = stored.id;
    expect(demo!.pageErrors).toEqual([]);
  });

  it('6. the triager groups it and a second report into a thread and escalates it (twice, near-identically)', async () => {
    // A second visitor's report of the same problem (through the reporting API, as the SDK
    // sends it): the thread has two bodies, what the summaries agent needs.
    const second = await reportAnnotation(urls, hub, {
      widget_id: hub.widgets.reactProduct,
      body: SECOND_BODY,
      category: 'friction',
      severity: 'medium',
    });
    expect(second.status).toBe('accepted');
    const annotations = [
      await annotationInFeedback(urls, hub, team, body),
      await annotationInFeedback(urls, hub, team, SECOND_BODY),
    ];
    const escalated = await trace.hop('escalation', () =>
      escalate(urls, team, annotations, {
        thread: 'Cart price does not refresh',
        candidate: CANDIDATE_TITLE,
        description: 'Visitors report the price stays stale after adding a product.',
        duplicate: 'Refresh the cart total after "Add to cart" is clicked',
      }),
    );
    expect(escalated.thread.annotation_count).toBe(2);
    expect(escalated.candidate).toMatchObject({
      status: 'open',
      source_thread_id: escalated.thread.id,
      source_widget_id: hub.widgets.reactProduct,
      severity: 'high',
    });
    expect(escalated.duplicate).toMatchObject({
      status: 'open',
      source_thread_id: escalated.thread.id,
    });
    threadId = escalated.thread.id;
    candidateId = escalated.candidate.id;
    duplicateId = escalated.duplicate!.id;
    secondAnnotationId = annotations[1].id;
  });

  it('7. the built-in agents propose a summary and a duplicate flag; the reviewer accepts the flag (merged) and rejects the summary', async () => {
    const result = await trace.hop('agents', async () => {
      const flag = await duplicateFlag(urls, hub, team, duplicateId, candidateId);
      const summary = await threadSummary(urls, hub, team, threadId);
      const accepted = await review(urls, team, flag.id, 'accepted', 'the same problem, reworded');
      const rejected = await review(urls, team, summary.id, 'rejected', 'we read the thread');
      const { duplicate, merges } = await mergedByFlag(urls, team, duplicateId, candidateId);
      return { flag, summary, accepted, rejected, duplicate, merges };
    });
    expect(result.flag).toMatchObject({
      kind: 'duplicate_flag',
      model_ref: 'ihf-builtin/duplicates@1',
      source_candidate_id: duplicateId,
    });
    expect(result.flag.confidence).toBeGreaterThanOrEqual(0.55);
    expect(result.summary).toMatchObject({
      kind: 'summary',
      model_ref: 'ihf-builtin/summaries@1',
      source_thread_id: threadId,
    });
    expect(result.summary.content.length).toBeGreaterThan(0);
    expect(result.accepted).toMatchObject({
      status: 'accepted',
      review: { decision: 'accepted', reviewer_id: team.reviewer.id },
    });
    expect(result.rejected).toMatchObject({ status: 'rejected', review: { decision: 'rejected' } });
    // A second review of the same proposal is refused.
    const second = await review(urls, team, result.summary.id, 'accepted', 'changed my mind').then(
      () => undefined,
      (error: unknown) => error as HttpError,
    );
    expect(second?.status).toBe(409);
    expect(second?.body).toContain('AGENTS.PROPOSAL_ALREADY_REVIEWED');
    // The accepted flag, applied by feedback: the duplicate merged into the kept candidate.
    expect(result.duplicate).toMatchObject({ status: 'duplicate', duplicate_of_id: candidateId });
    expect(result.merges).toEqual([
      expect.objectContaining({
        duplicate_id: duplicateId,
        kept_id: candidateId,
        source_proposal_id: result.flag.id,
        undone_at: null,
      }),
    ]);
    // The rejected summary changed nothing: on the bus only the flag was accepted, the thread
    // still has its two annotations and the kept candidate is still open.
    const accepted = await bus!.events(
      'IHF_AGENTS',
      'ihf.agents.proposal.accepted.v1',
      (e) => (e.payload as { hub_id?: string }).hub_id === hub.hubId,
    );
    expect(accepted.map((e) => (e.payload as { proposal_id: string }).proposal_id)).toEqual([
      result.flag.id,
    ]);
    const inThread = await fetchJson<{ id: string }[]>(
      `${urls.feedback}/api/v1/annotations?hub_id=${hub.hubId}&thread_id=${threadId}`,
    );
    expect(inThread.map((a) => a.id).sort()).toEqual([annotationId, secondAnnotationId].sort());
  });

  it('7b. the reviewer accepts the kept candidate', async () => {
    const candidate = await trace.hop('review', () => acceptCandidate(urls, team, candidateId));
    expect(candidate).toMatchObject({
      status: 'accepted',
      reviewer_id: team.reviewer.id,
      source_thread_id: threadId,
    });
  });

  it('8. a governor promotes the candidate; feedback shows it promoted', async () => {
    const { requirement, candidate } = await trace.hop('promotion', () =>
      promote(urls, team, candidateId),
    );
    expect(requirement).toMatchObject({
      hub_id: hub.hubId,
      status: 'active',
      source_candidate_id: candidateId,
      title: CANDIDATE_TITLE,
    });
    expect(candidate.requirement_id).toBe(requirement.id);
    requirementId = requirement.id;
  });

  it('8b. the implementation agent drafts a work item for the requirement; accepted, governance keeps the draft', async () => {
    const draft = await trace.hop('implementation draft', async () => {
      const proposal = await implementationDraft(urls, hub, team, requirementId);
      await review(urls, team, proposal.id, 'accepted', 'file it');
      const drafts = await eventually(
        'the work-item draft in the trace (agent-proposals → NATS → governance)',
        async () => {
          const t = await call<Trace>(
            `${urls.governance}/api/v1/requirements/${requirementId}/trace`,
            { token: team.viewer.token },
          );
          return t.work_item_drafts.length > 0 ? t.work_item_drafts : undefined;
        },
      );
      return { proposal, drafts };
    });
    expect(draft.proposal).toMatchObject({
      kind: 'impl_proposal',
      model_ref: 'ihf-builtin/implementation@1',
    });
    implProposalId = draft.proposal.id;
    expect(draft.drafts).toEqual([
      expect.objectContaining({
        requirement_id: requirementId,
        source_proposal_id: implProposalId,
      }),
    ]);
  });

  it('9. a decision with a policy reference and a GitHub work item', async () => {
    const { decision, policy, workItem } = await trace.hop('decision', () =>
      decide(urls, team, requirementId, {
        title: 'Recompute the cart total on every cart change',
        rationale: 'Stale totals make visitors abandon the checkout.',
        policyScope: 'ux/pricing-transparency',
        workItem: workItemRef,
      }),
    );
    expect(decision).toMatchObject({ outcome: 'approved', requirement_id: requirementId });
    expect(policy.policy_scope).toBe('ux/pricing-transparency');
    expect(workItem).toMatchObject({
      system: 'github',
      work_item_ref: workItemRef,
      url: `https://github.com/${workItemRef.replace('#', '/issues/')}`,
      state: 'unknown',
    });
    decisionId = decision.id;
  });

  it('10. a signed GitHub webhook closes the work item (a forged one is refused, a replay changes nothing)', async () => {
    const result = await trace.hop('webhook', () => closeWorkItem(urls, team, hub, workItemRef));
    expect(result.forged).toMatchObject({ code: 'GOVERNANCE.WEBHOOK_SIGNATURE_INVALID' });
    expect(result.first).toEqual({ result: 'processed', items_changed: 1 });
    expect(result.replay).toEqual({ result: 'duplicate', items_changed: 0 });
  });

  it("11. the requirement's trace links the widget, the feedback, the decision, its policy and the closed item", async () => {
    const t = await trace.hop('trace', () => readTrace(urls, team, requirementId));
    expect(t.requirement.id).toBe(requirementId);
    expect(t.candidate).toMatchObject({
      id: candidateId,
      status: 'promoted',
      source_thread_id: threadId,
    });
    expect(t.widget).toMatchObject({ id: hub.widgets.reactProduct, name: 'reactProduct' });
    expect(t.decisions).toHaveLength(1);
    expect(t.decisions[0]).toMatchObject({ id: decisionId, outcome: 'approved' });
    expect(t.decisions[0].policy_references.map((p) => p.policy_scope)).toEqual([
      'ux/pricing-transparency',
    ]);
    expect(t.decisions[0].work_items).toEqual([
      expect.objectContaining({ work_item_ref: workItemRef, state: 'closed' }),
    ]);
    // The annotation behind the thread is the one left in the browser.
    const thread = await fetchJson<{ id: string }[]>(
      `${urls.feedback}/api/v1/annotations?hub_id=${hub.hubId}&thread_id=${threadId}`,
    );
    expect(thread.map((a) => a.id).sort()).toEqual([annotationId, secondAnnotationId].sort());
    // What governance's trace cannot show: the agents' proposals (only a candidate's
    // source_proposal_id when an accepted draft created it), the merged duplicate, the
    // deployment, its outcome and evaluation (governance reads no ihf.deployment.* events).
    expect(t.candidate?.source_proposal_id ?? null).toBeNull();
    // What it does show of the agents: the accepted implementation draft.
    expect(t.work_item_drafts.map((d) => d.source_proposal_id)).toEqual([implProposalId]);
  });

  it('12. a CI pipeline deploys the work item; the outcome report compares the widget before and after; one evaluation', async () => {
    const widgetId = hub.widgets.reactProduct;
    const result = await trace.hop('deployment', () =>
      deployAndMeasure(urls, hub, team, {
        workItemRef,
        widgetId,
        pipeline: 'CI of acme/shop',
        before: { viewed: 40, clicked: 10 },
        after: { viewed: 40, clicked: 24 },
      }),
    );
    const { deployment, report, expected } = result;
    expect(result.sentBefore).toEqual({ accepted: 50, duplicate: 0, rejected: [] });
    expect(result.sentAfter).toEqual({ accepted: 64, duplicate: 0, rejected: [] });
    expect(result.personHook.code).toBe('AUTH.ROLE_REQUIRED');
    expect(result.retried.id).toBe(deployment.id);
    expect(deployment).toMatchObject({
      hub_id: hub.hubId,
      decision_id: decisionId,
      requirement_id: requirementId,
      work_item_ref: workItemRef,
      recorded_by_kind: 'pipeline',
    });
    expect(deployment.widgets).toEqual([
      expect.objectContaining({ widget_id: widgetId, name: 'reactProduct', source: 'lineage' }),
    ]);
    expect(report).toMatchObject({
      phase: 'provisional',
      decision: { id: decisionId, outcome: 'approved' },
      requirements: [expect.objectContaining({ id: requirementId })],
    });
    // At least what this hop sent on each side (the browser's events of hop 3 fall on one
    // side or the other, by their minute); the report's counts equal ingestion's (outcomeReport
    // waits for exactly that on the `viewed` and `clicked` rates).
    const b = { viewed: expected.before.viewed ?? 0, clicked: expected.before.clicked ?? 0 };
    const a = { viewed: expected.after.viewed ?? 0, clicked: expected.after.clicked ?? 0 };
    expect(b.viewed).toBeGreaterThanOrEqual(40);
    expect(b.clicked).toBeGreaterThanOrEqual(10);
    expect(a.viewed).toBeGreaterThanOrEqual(40);
    expect(a.clicked).toBeGreaterThanOrEqual(24);
    // clicked per viewed, before and after, as ingestion stored them.
    const ratio = figure(report, widgetId, 'ratio:clicked/viewed')!;
    expect(ratio.details).toEqual({
      before_numerator: b.clicked,
      before_denominator: b.viewed,
      after_numerator: a.clicked,
      after_denominator: a.viewed,
    });
    expect(ratio.not_enough_data).toBe(false);
    expect(ratio.before).toBeCloseTo(b.clicked / b.viewed, 6);
    expect(ratio.after).toBeCloseTo(a.clicked / a.viewed, 6);
    expect(ratio.relative_change!).toBeGreaterThan(0);
    expect(ratio.ci_low!).toBeLessThan(ratio.ci_high!);
    const views = figure(report, widgetId, 'rate_per_hour:viewed')!;
    expect(views.not_enough_data).toBe(false);
    expect(views.details.before_hours).toBe(24);
    // Annotations per 1,000 views: the views are the SDK's `viewed` (DEPLOYMENT_VIEW_EVENT_TYPE),
    // and two annotations are fewer than DEPLOYMENT_MIN_SAMPLE (30): "not enough data".
    const friction = figure(report, widgetId, 'friction_per_1000_views')!;
    expect(friction.details.before_views).toBe(b.viewed);
    expect(friction.details.after_views).toBe(a.viewed);
    expect(friction.not_enough_data).toBe(true);
    expect(friction.details.before_annotations + friction.details.after_annotations).toBe(2);
    // Fewer than DEPLOYMENT_MIN_SAMPLE (30) clicks before: that rate says "not enough data".
    const clicks = figure(report, widgetId, 'rate_per_hour:clicked')!;
    expect(clicks.not_enough_data).toBe(b.clicked < 30);

    const evaluation = await trace.hop('evaluation', () => evaluate(urls, team, deployment.id, 4));
    expect(evaluation).toMatchObject({ score: 4 });
    const again = await evaluate(urls, team, deployment.id, 2);
    expect(again).toMatchObject({ status: 409, code: 'DEPLOYMENT.ALREADY_EVALUATED' });
    const after = await call<OutcomeReport>(
      `${urls.deployment}/api/v1/deployments/${deployment.id}/outcome`,
      { token: team.viewer.token },
    );
    // Published once, through the outbox (the refused second one publishes nothing).
    const published = await eventually(
      'ihf.deployment.evaluation.recorded.v1 on the bus',
      async () => {
        const events = await bus!.events(
          'IHF_DEPLOYMENT',
          'ihf.deployment.evaluation.recorded.v1',
          (e) => e.aggregate_id === deployment.id,
        );
        return events.length > 0 ? events : undefined;
      },
    );
    expect(published).toHaveLength(1);
    expect(after.evaluations).toEqual([
      expect.objectContaining({ id: evaluation.id, score: 4, evaluated_by: team.governor.id }),
    ]);
  });
});

describe('npm run demo: the seed, against the same platform', () => {
  it('seeds a hub with history, users, feedback and a decision through the public APIs', async () => {
    const seeded = await seedDemo(urls, admin, { days: 3, sessionsPerDay: 5 });
    expect(seeded.history.sent).toBeGreaterThan(20);
    expect(seeded.history).toMatchObject({ accepted: seeded.history.sent, rejected: 0 });
    // The history reaches back `days` days (ingestion's event counts see it).
    const counts = await call<{ items: { bucket_start: string; count: number }[] }>(
      `${urls.ingestion}/api/v1/widgets/${seeded.hub.widgets.reactProduct}/event-counts?bucket=day&from=${encodeURIComponent(seeded.history.from)}`,
      { token: seeded.team.viewer.token },
    );
    // Three days back from now touch three or four UTC calendar days, by the time of day.
    const days = new Set(counts.items.map((c) => c.bucket_start)).size;
    expect(days).toBeGreaterThanOrEqual(3);
    expect(days).toBeLessThanOrEqual(4);
    const t = await readTrace(urls, seeded.team, seeded.requirementId);
    expect(t.decisions.map((d) => d.id)).toEqual([seeded.decisionId]);
    expect(t.decisions[0].work_items).toEqual([
      expect.objectContaining({ work_item_ref: seeded.workItemRef, state: 'unknown' }),
    ]);
    const notes = await allPages<{ id: string; thread_id: string | null }>(
      `${urls.feedback}/api/v1/annotations?hub_id=${seeded.hub.hubId}&limit=200`,
      seeded.team.triager.token,
    );
    expect(notes).toHaveLength(DEMO_FEEDBACK.length + 1);
    expect(notes.filter((n) => n.thread_id === t.candidate?.source_thread_id)).toHaveLength(
      DEMO_FEEDBACK.length,
    );
    expect(notes.find((n) => n.id === seeded.untriagedAnnotationId)?.thread_id).toBeNull();
    // The pipeline's deployment of the decision, mid-history, and its outcome report (which
    // outcomeReport only returns once its viewed/clicked counts equal ingestion's).
    const outcome = seeded.deployment!;
    expect(outcome.deployment).toMatchObject({
      decision_id: seeded.decisionId,
      work_item_ref: seeded.workItemRef,
      recorded_by_kind: 'pipeline',
    });
    expect(outcome.deployment.widgets).toEqual([
      expect.objectContaining({ widget_id: seeded.hub.widgets.reactProduct, source: 'lineage' }),
    ]);
    const clicks = figure(outcome, seeded.hub.widgets.reactProduct, 'rate_per_hour:clicked')!;
    expect(clicks.details.before_count).toBeGreaterThan(0);
    expect(clicks.details.after_count).toBeGreaterThan(0);
    expect(clicks.details.before_hours).toBe(24);
  });

  it('cannot report history older than 30 days: ingestion refuses it (what the demo says)', async () => {
    expect(() =>
      syntheticHistory({ hubId: hub.hubId, widgets: hub.widgets, days: 30, sessionsPerDay: 1 }),
    ).toThrow(/30 days/);
    const old = await reportEvents(urls, hub, [
      {
        id: randomUUID(),
        widget_id: hub.widgets.wcCart,
        hub_id: hub.hubId,
        event_type: 'viewed',
        occurred_at: new Date(Date.now() - 31 * 86_400_000).toISOString(),
      },
    ]);
    expect(old).toMatchObject({ accepted: 0, rejected: [{ reason: 'occurred_at_too_old' }] });
  });
});

async function fetchJson<T>(url: string): Promise<T> {
  const response = await fetch(url, { headers: { authorization: `Bearer ${team.triager.token}` } });
  expect(response.status).toBe(200);
  return ((await response.json()) as { items: T }).items;
}

async function eventuallyEvents(since: string) {
  const deadline = Date.now() + 45_000;
  for (;;) {
    const rows = await storedEvents(urls, hub, team.viewer.token, since);
    if (rows.filter((r) => r.event_type === 'clicked').length >= CLICKS || Date.now() > deadline) {
      return rows;
    }
    await new Promise((resolve) => setTimeout(resolve, 300));
  }
}

function countBy(values: readonly string[]): Record<string, number> {
  const out: Record<string, number> = {};
  for (const v of values) out[v] = (out[v] ?? 0) + 1;
  return out;
}
