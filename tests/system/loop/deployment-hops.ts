// Hop 12 of the loop: deployment-outcomes. A CI pipeline, with a hub-scoped `deployer` machine
// credential from identity (client credentials grant), calls the deployment hook naming the
// closed work item `owner/repo#N`; deployment-outcomes finds the widget through the lineage
// decision → requirement → candidate → widget (governance's and feedback's events). The
// widget's interactions before and after the deployment are counted by its rollup (ingestion's
// events) and compared in the outcome report; a person records one evaluation (a second is 409).
//
// Windows: the service's windows are whole days (1-90) and its rollups count per minute of
// `occurred_at`, so the hop sets `deployed_at` to a whole minute in the recent past (a
// deployment may name when it happened), reports the "before" events just before it and the
// "after" events between it and now; the after-window is still open, so the report's figures
// are `provisional`: computed when asked, over [deployed_at, now).
import { randomUUID } from 'node:crypto';
import { allPages, call, eventually } from './http.ts';
import { reportEvents, type Hub, type ReportedEvent, type Team, type Urls } from './loop.ts';

const MINUTE = 60_000;

export interface Deployment {
  readonly id: string;
  readonly hub_id: string;
  readonly decision_id: string;
  readonly requirement_id: string | null;
  readonly work_item_ref: string | null;
  readonly version_ref: string;
  readonly recorded_by_kind: string;
  readonly pipeline_run_id: string | null;
  readonly deployed_at: string;
  readonly before_window_start: string;
  readonly final_at: string;
  readonly widgets: { widget_id: string; name: string | null; source: string; via: string }[];
}

export interface Signal {
  readonly widget_id: string | null;
  readonly phase: string;
  readonly signal_type: string;
  readonly before: number | null;
  readonly after: number | null;
  readonly relative_change: number | null;
  readonly ci_low: number | null;
  readonly ci_high: number | null;
  readonly p_value: number | null;
  readonly not_enough_data: boolean;
  readonly details: Record<string, number>;
}

export interface OutcomeReport {
  readonly deployment: Deployment;
  readonly decision: { id: string; title: string | null; outcome: string | null };
  readonly requirements: { id: string; title: string | null }[];
  readonly phase: 'provisional' | 'final';
  readonly figures: Signal[];
  readonly evaluations: { id: string; score: number; evaluated_by: string | null }[];
}

export function deploymentUrl(urls: Urls): string {
  if (!urls.deployment) throw new Error('deployment-outcomes is not part of this platform');
  return urls.deployment;
}

/** An admin creates the pipeline's `deployer` client at identity; the pipeline gets a token. */
export async function deployerToken(urls: Urls, hub: Hub, name: string): Promise<string> {
  const client = await call<{ client_id: string; client_secret: string; role: string }>(
    `${urls.identity}/api/v1/agents`,
    {
      token: hub.adminToken,
      body: { name, role: 'deployer', hub_ids: [hub.hubId] },
      expect: [201],
    },
  );
  const { access_token } = await call<{ access_token: string }>(
    `${urls.identity}/api/v1/auth/token`,
    {
      body: {
        grant_type: 'client_credentials',
        client_id: client.client_id,
        client_secret: client.client_secret,
      },
      expect: [200],
    },
  );
  return access_token;
}

/** A whole minute, at least a minute ago: the after-events fit between it and now. */
export function deploymentMinute(now = Date.now()): Date {
  return new Date(Math.floor(now / MINUTE) * MINUTE - MINUTE);
}

/** `viewed` and `clicked` events of one widget at `from + i * stepMs`. */
export function interactions(
  hub: Hub,
  widgetId: string,
  counts: { viewed: number; clicked: number },
  from: Date,
  stepMs: number,
): ReportedEvent[] {
  const types = [
    ...Array<string>(counts.viewed).fill('viewed'),
    ...Array<string>(counts.clicked).fill('clicked'),
  ];
  return types.map((event_type, i) => ({
    id: randomUUID(),
    widget_id: widgetId,
    hub_id: hub.hubId,
    event_type,
    occurred_at: new Date(from.getTime() + i * stepMs).toISOString(),
    metadata: { session_id: `deploy-${i % 7}` },
  }));
}

export interface HookCall {
  readonly workItemRef: string;
  readonly deployedAt: Date;
  readonly pipelineRunId: string;
  readonly versionRef: string;
  /** Before- and after-window, days (default 1). */
  readonly windowDays?: number;
}

/**
 * The pipeline's call. Retried while deployment-outcomes has not yet read the work item's
 * lineage from the bus (422 DEPLOYMENT.LINEAGE_NOT_FOUND): the same run id, so a retry of a
 * call that did land answers the first deployment.
 */
export function callDeploymentHook(
  urls: Urls,
  hub: Hub,
  token: string,
  hook: HookCall,
  timeoutMs = 45_000,
): Promise<Deployment> {
  return eventually(
    'the deployment hook (governance, feedback → NATS → deployment-outcomes: the lineage)',
    () =>
      call<Deployment>(`${deploymentUrl(urls)}/api/v1/hubs/${hub.hubId}/deployment-hook`, {
        token,
        body: {
          work_item_ref: hook.workItemRef,
          version_ref: hook.versionRef,
          environment: 'production',
          deployed_at: hook.deployedAt.toISOString(),
          pipeline_run_id: hook.pipelineRunId,
          before_window_days: hook.windowDays ?? 1,
          after_window_days: hook.windowDays ?? 1,
          ratios: [{ numerator: 'clicked', denominator: 'viewed' }],
          notes: 'deployed by the system test pipeline',
        },
        expect: [201],
      }),
    timeoutMs,
  );
}

/**
 * What the report must say, from ingestion's own record: the widget's stored events per type
 * in each window, by the minute of `occurred_at` as the rollup counts them.
 */
export async function expectedCounts(
  urls: Urls,
  hub: Hub,
  team: Team,
  widgetId: string,
  deployment: Deployment,
  afterEnd: Date,
) {
  const start = Date.parse(deployment.before_window_start);
  const deployed = Date.parse(deployment.deployed_at);
  // A closed after-window ends at final_at; an open one is measured up to now.
  const end = Math.min(Date.parse(deployment.final_at), afterEnd.getTime());
  const rows = await allPages<{ widget_id: string; event_type: string; occurred_at: string }>(
    `${urls.ingestion}/api/v1/hubs/${hub.hubId}/events?limit=1000&from=${encodeURIComponent(deployment.before_window_start)}`,
    team.viewer.token,
  );
  const before: Record<string, number> = {};
  const after: Record<string, number> = {};
  for (const r of rows) {
    if (r.widget_id !== widgetId) continue;
    const minute = Math.floor(Date.parse(r.occurred_at) / MINUTE) * MINUTE;
    const side =
      minute >= start && minute < deployed
        ? before
        : minute >= deployed && minute < end
          ? after
          : undefined;
    if (side) side[r.event_type] = (side[r.event_type] ?? 0) + 1;
  }
  return { before, after };
}

/**
 * The outcome report once the rollup has counted every event reported so far: the `clicked`
 * and `viewed` counts of the widget's figures equal ingestion's (`expected`).
 */
export function outcomeReport(
  urls: Urls,
  team: Team,
  deploymentId: string,
  widgetId: string,
  expected: { before: Record<string, number>; after: Record<string, number> },
  timeoutMs = 45_000,
): Promise<OutcomeReport> {
  return eventually(
    'the outcome report with every event counted (ingestion → NATS → deployment-outcomes rollup)',
    async () => {
      const report = await call<OutcomeReport>(
        `${deploymentUrl(urls)}/api/v1/deployments/${deploymentId}/outcome`,
        { token: team.governor.token },
      );
      const counted = ['viewed', 'clicked'].every((type) => {
        const s = figure(report, widgetId, `rate_per_hour:${type}`);
        return (
          (s?.details.before_count ?? 0) === (expected.before[type] ?? 0) &&
          (s?.details.after_count ?? 0) === (expected.after[type] ?? 0)
        );
      });
      return counted ? report : undefined;
    },
    timeoutMs,
  );
}

export function figure(report: OutcomeReport, widgetId: string, type: string): Signal | undefined {
  return report.figures.find((s) => s.widget_id === widgetId && s.signal_type === type);
}

/** A person's evaluation of the deployment; the answer of a second one is returned as it is. */
export function evaluate(urls: Urls, team: Team, deploymentId: string, score: number) {
  return call<{ id: string; score: number; code?: string; status?: number }>(
    `${deploymentUrl(urls)}/api/v1/deployments/${deploymentId}/evaluation`,
    {
      token: team.governor.token,
      body: { score, rationale: 'Clicks per view went up after the fix; no new complaints.' },
      expect: [201, 409],
    },
  );
}

/** The whole hop: a deployer token, events before, the hook, events after, the report. */
export async function deployAndMeasure(
  urls: Urls,
  hub: Hub,
  team: Team,
  input: {
    workItemRef: string;
    widgetId: string;
    pipeline: string;
    before: { viewed: number; clicked: number };
    after: { viewed: number; clicked: number };
    /** Called after the hook answered and the after-events were accepted (fault runs: a kill). */
    afterHook?: () => Promise<void>;
    timeoutMs?: number;
  },
) {
  const token = await deployerToken(urls, hub, input.pipeline);
  const deployedAt = deploymentMinute();
  const beforeEvents = interactions(
    hub,
    input.widgetId,
    input.before,
    new Date(deployedAt.getTime() - 5 * MINUTE),
    1_000,
  );
  const sentBefore = await reportEvents(urls, hub, beforeEvents);
  const hook: HookCall = {
    workItemRef: input.workItemRef,
    deployedAt,
    pipelineRunId: `github-actions/${input.workItemRef.replace('#', '/run/')}/${randomUUID()}`,
    versionRef: 'v1.4.2',
  };
  const deployment = await callDeploymentHook(urls, hub, token, hook, input.timeoutMs);
  // The after-events lie between deployed_at and now (at least a minute: deploymentMinute).
  const room = Date.now() - deployedAt.getTime() - 2_000;
  const total = input.after.viewed + input.after.clicked;
  const afterEvents = interactions(
    hub,
    input.widgetId,
    input.after,
    new Date(deployedAt.getTime() + 1_000),
    Math.max(1, Math.floor(room / total)),
  );
  const sentAfter = await reportEvents(urls, hub, afterEvents);
  await input.afterHook?.();
  // The pipeline retries its call (same run id): the first deployment, not a second one.
  const retried = await callDeploymentHook(urls, hub, token, hook, input.timeoutMs);
  const personHook = await call<{ code: string }>(
    `${deploymentUrl(urls)}/api/v1/hubs/${hub.hubId}/deployment-hook`,
    {
      token: team.governor.token,
      body: {
        work_item_ref: input.workItemRef,
        version_ref: 'x',
        environment: 'production',
        pipeline_run_id: 'person',
      },
      expect: [403],
    },
  );
  const measuredAt = new Date();
  const expected = await expectedCounts(urls, hub, team, input.widgetId, deployment, measuredAt);
  const report = await outcomeReport(
    urls,
    team,
    deployment.id,
    input.widgetId,
    expected,
    input.timeoutMs,
  );
  return { deployment, retried, personHook, sentBefore, sentAfter, expected, report };
}
