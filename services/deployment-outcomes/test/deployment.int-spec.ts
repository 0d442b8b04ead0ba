import { randomUUID } from 'node:crypto';
import { type Severity } from '@ihf/contracts';
import { OutcomeScheduler } from '../src/outcomes/outcome-scheduler.js';
import { DeploymentTestApp, type TestUser, user } from './deployment-test-app.js';

// A scripted scenario through real NATS and Postgres with a manual clock: lineage from
// governance/feedback/ingestion events, the hook's idempotency, known interaction events and
// annotations before and after a deployment, provisional and final signals with their exact
// figures, append-only signals, and the refused second evaluation.

const HUB = randomUUID();
const WIDGET = randomUUID();
const DEPLOYED_AT = Date.parse('2026-12-08T00:00:00.000Z');
const HOUR = 3_600_000;

interface Signal {
  signal_type: string;
  before: number | null;
  after: number | null;
  relative_change: number | null;
  ci_low: number | null;
  ci_high: number | null;
  p_value: number | null;
  not_enough_data: boolean;
  phase: string;
}

describe('deployment-outcomes: a deployment and its measured outcome', () => {
  let t: DeploymentTestApp;
  let governor: TestUser;
  let decisionId: string;
  let requirementId: string;
  let candidateId: string;
  let annotationId: string;

  beforeAll(async () => {
    t = await DeploymentTestApp.start();
    governor = user(['governor'], [HUB]);
    decisionId = randomUUID();
    requirementId = randomUUID();
    candidateId = randomUUID();
    annotationId = randomUUID();
    const at = new Date('2026-12-01T00:00:00.000Z').toISOString();
    await t.publish(
      'ihf.ingestion.widget.registered.v1',
      {
        widget_id: WIDGET,
        hub_id: HUB,
        name: 'Checkout button',
        widget_type: 'button',
        capability_ref: null,
        view_context: 'checkout',
        policy_scope: 'internal',
        status: 'active',
        adapter_spec_id: null,
        version: 1,
        created_at: at,
      },
      { hubId: HUB, aggregateId: WIDGET, aggregateVersion: 1 },
    );
    await t.publish(
      'ihf.feedback.candidate.created.v1',
      {
        candidate_id: candidateId,
        title: 'Make the checkout button visible',
        description: 'Users cannot find it',
        category: 'friction',
        severity: 'high',
        source_widget_id: WIDGET,
        source_thread_id: null,
        source_annotation_id: annotationId,
        source_proposal_id: null,
        created_by: null,
        created_at: at,
      },
      { hubId: HUB, aggregateId: candidateId, aggregateVersion: 1 },
    );
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      {
        requirement_id: requirementId,
        candidate_id: candidateId,
        hub_id: HUB,
        promoted_by: null,
        promoted_at: at,
        title: 'Visible checkout button',
      },
      { hubId: HUB },
    );
    await t.publish(
      'ihf.governance.decision.recorded.v1',
      {
        decision_id: decisionId,
        title: 'Make it bigger',
        outcome: 'approved',
        requirement_id: requirementId,
        candidate_id: null,
        supersedes_id: null,
        decided_by: governor.id,
        decided_at: at,
      },
      { hubId: HUB },
    );
    await t.publish(
      'ihf.governance.work_item.linked.v1',
      {
        work_item_id: randomUUID(),
        decision_id: decisionId,
        system: 'github',
        work_item_ref: 'acme/shop#12',
        url: 'https://github.com/acme/shop/issues/12',
        state: 'open',
        linked_by: null,
        linked_at: at,
      },
      { hubId: HUB },
    );
    await t.until(
      'select 1 from deployment.work_items where work_item_ref = $1',
      ['acme/shop#12'],
      'work item',
    );
    await t.until(
      'select 1 from deployment.requirements where id = $1',
      [requirementId],
      'requirement',
    );
    await t.until('select 1 from deployment.candidates where id = $1', [candidateId], 'candidate');
    await t.until('select 1 from deployment.widgets where id = $1', [WIDGET], 'widget');

    // Before (the 24 h before the deployment): 100 views, 20 submits, 20 high annotations.
    // After (within its first 12 h): 100 views, 40 submits, 5 high and 5 low annotations.
    const interaction = async (type: string, at: number, i: number) =>
      t.publish(
        'ihf.ingestion.interaction.recorded.v1',
        {
          event_id: randomUUID(),
          hub_id: HUB,
          widget_id: WIDGET,
          widget_version: 1,
          event_type: type,
          actor_id: null,
          actor_type: 'user',
          view_context_ref: null,
          metadata: { session_id: `s${i % 7}` },
          occurred_at: new Date(at).toISOString(),
          received_at: new Date(at).toISOString(),
        },
        { hubId: HUB },
      );
    const annotation = async (severity: Severity, at: number) =>
      t.publish(
        'ihf.feedback.annotation.created.v1',
        {
          annotation_id: randomUUID(),
          widget_id: WIDGET,
          parent_id: null,
          thread_id: null,
          category: 'friction',
          severity,
          actor_id: null,
          actor_type: 'user',
          source: 'ingestion',
          created_at: new Date(at).toISOString(),
        },
        { hubId: HUB },
      );
    const before = (i: number) => DEPLOYED_AT - 20 * HOUR + i * 60_000;
    const after = (i: number) => DEPLOYED_AT + HOUR + i * 60_000;
    for (let i = 0; i < 100; i++) await interaction('view', before(i), i);
    for (let i = 0; i < 20; i++) await interaction('submit', before(i), i);
    for (let i = 0; i < 100; i++) await interaction('view', after(i), i);
    for (let i = 0; i < 40; i++) await interaction('submit', after(i), i);
    for (let i = 0; i < 20; i++) await annotation('high', before(i));
    for (let i = 0; i < 10; i++) await annotation(i < 5 ? 'high' : 'low', after(i));
    await t.rollupApplied('interactions', 260);
    await t.rollupApplied('annotations', 30);
  }, 120_000);

  afterAll(async () => {
    await t?.close();
  });

  let deploymentId: string;

  it('refuses an unknown decision or work item with 422 naming it', async () => {
    const missing = randomUUID();
    const res = await t.request('POST', `/api/v1/hubs/${HUB}/deployments`, {
      user: governor,
      body: { decision_id: missing, version_ref: 'v1', environment: 'production' },
    });
    expect(res.status).toBe(422);
    expect(res.body).toMatchObject({
      code: 'DEPLOYMENT.LINEAGE_NOT_FOUND',
      not_found: [{ field: 'decision_id', value: missing }],
    });
    const item = await t.request('POST', `/api/v1/hubs/${HUB}/deployments`, {
      user: governor,
      body: { work_item_ref: 'PROJ-404', version_ref: 'v1', environment: 'production' },
    });
    expect(item.status).toBe(422);
    expect(item.body).toMatchObject({ not_found: [{ field: 'work_item_ref', value: 'PROJ-404' }] });
  });

  it('records through the hook once per pipeline run, with the lineage widgets', async () => {
    const pipeline = user(['deployer'], [HUB]);
    const body = {
      work_item_ref: 'acme/shop#12',
      version_ref: 'v2.4.0',
      environment: 'production',
      deployed_at: new Date(DEPLOYED_AT).toISOString(),
      before_window_days: 1,
      after_window_days: 1,
      ratios: [{ numerator: 'submit', denominator: 'view' }],
      pipeline_run_id: 'gha/acme/shop/run/42',
    };
    expect(
      (await t.request('POST', `/api/v1/hubs/${HUB}/deployment-hook`, { user: governor, body }))
        .status,
    ).toBe(403);
    const first = await t.request<Record<string, unknown>>(
      'POST',
      `/api/v1/hubs/${HUB}/deployment-hook`,
      {
        user: pipeline,
        body,
      },
    );
    expect(first.status).toBe(201);
    expect(first.body).toMatchObject({
      decision_id: decisionId,
      requirement_id: requirementId,
      recorded_by_kind: 'pipeline',
      widgets: [
        {
          widget_id: WIDGET,
          name: 'Checkout button',
          source: 'lineage',
          via: `decision ${decisionId} → requirement ${requirementId} → candidate ${candidateId} (annotation ${annotationId}) → widget`,
        },
      ],
    });
    const again = await t.request('POST', `/api/v1/hubs/${HUB}/deployment-hook`, {
      user: pipeline,
      body: { ...body, version_ref: 'v9' },
    });
    expect(again).toEqual(first);
    expect(await t.sql('select id from deployment.deployment_records')).toHaveLength(1);
    deploymentId = first.body.id as string;
    await t.bus.waitForEvent(
      'IHF_DEPLOYMENT',
      'ihf.deployment.deployment.recorded.v1',
      (e) => e.payload.deployment_id === deploymentId,
    );
  });

  const byType = (signals: Signal[]) => Object.fromEntries(signals.map((s) => [s.signal_type, s]));

  it('writes provisional signals while the after-window is open, with the expected figures', async () => {
    // 1 h 50 min after the deployment: the after-window so far is one whole hour (empty, from
    // the hourly rollup) and 50 minutes of the next (per minute): 50 views, 40 submits and 10
    // annotations (5 high, 5 low) happened in those minutes.
    t.clock.set(new Date(DEPLOYED_AT + 110 * 60_000));
    const scheduler = t.app.get(OutcomeScheduler);
    expect(await scheduler.tick()).toEqual({ provisional: 1, final: 0 });
    // Within the provisional interval nothing more is due.
    expect(await scheduler.tick()).toEqual({ provisional: 0, final: 0 });
    const res = await t.request<{ items: Signal[] }>(
      'GET',
      `/api/v1/deployments/${deploymentId}/signals`,
      { user: governor },
    );
    const s = byType(res.body.items);
    expect(res.body.items.every((x) => x.phase === 'provisional')).toBe(true);
    const hoursAfter = 110 / 60;
    expect(s['rate_per_hour:view'].before).toBeCloseTo(100 / 24, 9);
    expect(s['rate_per_hour:view'].after).toBeCloseTo(50 / hoursAfter, 9);
    expect(s['rate_per_hour:view'].relative_change).toBeCloseTo(
      50 / hoursAfter / (100 / 24) - 1,
      9,
    );
    // Rate ratio interval on the log scale, se = sqrt(1/100 + 1/50).
    expect(s['rate_per_hour:view'].ci_low).toBeCloseTo(
      (50 / hoursAfter / (100 / 24)) * Math.exp(-1.959963984540054 * Math.sqrt(0.03)),
      6,
    );
    // Submit per view: 20/100 before, 40/50 after.
    expect(s['ratio:submit/view']).toMatchObject({ before: 0.2, after: 0.8 });
    const se = Math.sqrt((0.2 * 0.8) / 100 + (0.8 * 0.2) / 50);
    expect(s['ratio:submit/view'].ci_low).toBeCloseTo(0.6 - 1.959963984540054 * se, 9);
    expect(s['ratio:submit/view'].ci_high).toBeCloseTo(0.6 + 1.959963984540054 * se, 9);
    // Friction: 20 per 100 views before, 10 per 50 after: both 200 per 1,000.
    expect(s['friction_per_1000_views']).toMatchObject({ before: 200, after: 200 });
    expect(s['friction_per_1000_views'].relative_change).toBeCloseTo(0, 9);
    // 5 low annotations after, none before: the share changes from 0 to 0.5.
    expect(s['severity_share:low']).toMatchObject({
      before: 0,
      after: 0.5,
      not_enough_data: false,
    });
  });

  it('writes the final signals once when the window closes, and the report shows them', async () => {
    t.clock.set(new Date(DEPLOYED_AT + 25 * HOUR));
    const scheduler = t.app.get(OutcomeScheduler);
    expect(await scheduler.tick()).toEqual({ provisional: 0, final: 1 });
    expect(await scheduler.tick()).toEqual({ provisional: 0, final: 0 });
    const report = await t.request<{
      phase: string;
      figures: Signal[];
      decision: unknown;
      requirements: unknown;
    }>('GET', `/api/v1/deployments/${deploymentId}/outcome`, { user: governor });
    expect(report.status).toBe(200);
    expect(report.body.phase).toBe('final');
    expect(report.body.decision).toEqual({
      id: decisionId,
      title: 'Make it bigger',
      outcome: 'approved',
    });
    expect(report.body.requirements).toEqual([
      { id: requirementId, title: 'Visible checkout button' },
    ]);
    const s = byType(report.body.figures);
    // Final: 100 views in 24 h each side, rate ratio 1, log interval ±1.96·sqrt(1/100+1/100).
    const view = s['rate_per_hour:view'];
    expect(view.relative_change).toBeCloseTo(0, 9);
    expect(view.ci_low).toBeCloseTo(Math.exp(-1.959963984540054 * Math.sqrt(0.02)), 6);
    expect(view.ci_high).toBeCloseTo(Math.exp(1.959963984540054 * Math.sqrt(0.02)), 6);
    expect(view.p_value).toBeCloseTo(1, 6);
    // Submit per view 0.2 → 0.4: two-proportion z = 0.2 / sqrt(0.3·0.7·(2/100)).
    const ratio = s['ratio:submit/view'];
    expect(ratio.relative_change).toBeCloseTo(1, 9);
    expect(ratio.ci_low).toBeCloseTo(0.2 - 1.959963984540054 * Math.sqrt(0.004), 9);
    expect(ratio.ci_high).toBeCloseTo(0.2 + 1.959963984540054 * Math.sqrt(0.004), 9);
    expect(ratio.p_value).toBeCloseTo(0.00203, 4);
    // Friction 200 → 100 per 1,000 views: rate ratio 0.5, se sqrt(1/20 + 1/10).
    const friction = s['friction_per_1000_views'];
    expect(friction).toMatchObject({ before: 200, after: 100, not_enough_data: false });
    expect(friction.relative_change).toBeCloseTo(-0.5, 9);
    expect(friction.ci_low).toBeCloseTo(0.5 * Math.exp(-1.959963984540054 * Math.sqrt(0.15)), 6);
    expect(friction.ci_high).toBeCloseTo(0.5 * Math.exp(1.959963984540054 * Math.sqrt(0.15)), 6);
    // Clicks never happened; 5 low annotations: below the minimum sample of 10 is "not enough
    // data" for a rate (none here), and the severity share has 20 and 10 annotations.
    expect(s['severity_share:high']).toMatchObject({ before: 1, after: 0.5 });
    expect(
      await t.sql(`select 1 from deployment.outcome_signals where phase = 'final'`),
    ).toHaveLength(report.body.figures.length);
  });

  it('says "not enough data" below the minimum sample', async () => {
    // A deployment by a governor, named widget, in a quiet week: no views at all.
    const res = await t.request<{ id: string }>('POST', `/api/v1/hubs/${HUB}/deployments`, {
      user: governor,
      body: {
        decision_id: decisionId,
        version_ref: 'v2.5.0',
        environment: 'staging',
        deployed_at: new Date(DEPLOYED_AT + 10 * 24 * HOUR).toISOString(),
        widget_ids: [WIDGET],
        before_window_days: 1,
        after_window_days: 1,
      },
    });
    expect(res.status).toBe(201);
    const report = await t.request<{
      phase: string;
      figures: (Signal & { value: number | null })[];
    }>('GET', `/api/v1/deployments/${res.body.id}/outcome`, { user: governor });
    expect(report.body.phase).toBe('provisional');
    // The widget is both in the lineage and named: measured once.
    expect(report.body.figures).toHaveLength(1);
    for (const f of report.body.figures)
      expect(f).toMatchObject({
        signal_type: 'friction_per_1000_views',
        not_enough_data: true,
        value: null,
        ci_low: null,
        p_value: null,
      });
  });

  it('keeps signals append-only in the database', async () => {
    await expect(t.sql(`update deployment.outcome_signals set value = 0`)).rejects.toThrow(
      /append-only/,
    );
    await expect(t.sql(`delete from deployment.outcome_signals`)).rejects.toThrow(/append-only/);
    await expect(t.sql(`truncate deployment.outcome_signals cascade`)).rejects.toThrow(
      /append-only/,
    );
  });

  it('takes manual signals and one evaluation; a second is 409', async () => {
    const reviewer = user(['reviewer'], [HUB]);
    const signal = await t.request('POST', `/api/v1/deployments/${deploymentId}/signals`, {
      user: reviewer,
      body: { signal_type: 'support_tickets', value: 3, widget_id: WIDGET },
    });
    expect(signal.status).toBe(201);
    expect(signal.body).toMatchObject({
      phase: 'manual',
      value: 3,
      signal_type: 'support_tickets',
    });
    const other = await t.request('POST', `/api/v1/deployments/${deploymentId}/signals`, {
      user: reviewer,
      body: { signal_type: 'x', value: 1, widget_id: randomUUID() },
    });
    expect(other.status).toBe(422);
    const outsider = user(['governor'], [randomUUID()]);
    expect(
      (await t.request('GET', `/api/v1/deployments/${deploymentId}/outcome`, { user: outsider }))
        .status,
    ).toBe(404);
    const evaluation = await t.request('POST', `/api/v1/deployments/${deploymentId}/evaluation`, {
      user: reviewer,
      body: { score: 4, rationale: 'Less friction, more submits' },
    });
    expect(evaluation.status).toBe(201);
    const second = await t.request('POST', `/api/v1/deployments/${deploymentId}/evaluation`, {
      user: governor,
      body: { score: 2, rationale: 'Disagree' },
    });
    expect(second.status).toBe(409);
    expect(second.body).toMatchObject({ code: 'DEPLOYMENT.ALREADY_EVALUATED' });
    const report = await t.request<Record<string, unknown>>(
      'GET',
      `/api/v1/deployments/${deploymentId}/outcome`,
      {
        user: governor,
      },
    );
    expect(report.body.evaluations).toMatchObject([{ score: 4 }]);
    expect(report.body.manual_signals).toHaveLength(1);
  });

  it('answers friction per widget version and day', async () => {
    t.clock.set(new Date(DEPLOYED_AT + 2 * 24 * HOUR));
    const res = await t.request<{ items: { day: string; views: number; annotations: number }[] }>(
      'GET',
      `/api/v1/hubs/${HUB}/friction?widget_id=${WIDGET}&days=5`,
      { user: governor },
    );
    expect(res.status).toBe(200);
    expect(res.body.items.map((i) => [i.day, i.views, i.annotations])).toEqual([
      ['2026-12-07', 100, 20],
      ['2026-12-08', 100, 10],
    ]);
  });
});
