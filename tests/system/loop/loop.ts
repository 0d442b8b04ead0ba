// The closed loop, hop by hop, through the services' public HTTP APIs only (the browser part is
// in browser-hops.ts). Each hop returns what it made and records it in the LoopTrace, which the
// tests assert on and save as JSON. Shared by the system tests and `npm run demo`.
//
// The hops, in order:
//   1. setUpHub           hub, the SDK demo page's widgets, a hub API key (admin)
//   2. createRoleUsers    triager, reviewer, governor of the hub (admin)
//   3. interactions       views and clicks, through the SDK in Chromium or the reporting API
//   4. feedback           an annotation through the SDK's dialog (or the reporting API)
//   5. annotationInFeedback  feedback stored it (ingestion → NATS → feedback)
//   6. escalate           triager groups the annotations into a thread, escalates a candidate
//                         (and a near-identical second one)
//   7. agents             (agent-hops.ts) the built-in agents propose a thread summary and a
//                         duplicate flag; the reviewer accepts the flag (feedback merges the
//                         duplicate) and rejects the summary (nothing changes)
//      acceptCandidate    the reviewer is assigned and accepts the candidate
//   8. promote            a governor promotes the candidate to a requirement; feedback marks
//                         the candidate promoted (governance → NATS → feedback)
//      implementation     (agent-hops.ts) the implementation agent drafts a work item;
//                         accepted, governance keeps the draft (its trace lists it)
//   9. decide             a decision with a policy reference and a work item owner/repo#N
//  10. closeWorkItem      a signed GitHub-style `issues` webhook closes the item
//  11. readTrace          the requirement's trace shows all of it
//  12. deployment         (deployment-hops.ts) a CI pipeline's deployer credential calls the
//                         deployment hook with the work item; interactions before and after it;
//                         the outcome report's before/after figures; one human evaluation
import { randomBytes, randomUUID } from 'node:crypto';
import { sign } from '@octokit/webhooks-methods';
import { allPages, call, eventually } from './http.ts';

/** The demo page's widgets (libs/sdk-web/demo/config.ts) and how each is registered. */
export const DEMO_WIDGET_DEFS = {
  wcCart: { view: 'demo/cart', adapter: 'web-component' },
  wcNewsletter: { view: 'demo/newsletter', adapter: 'web-component' },
  wcFooter: { view: 'demo/footer', adapter: 'web-component' },
  shadowSearch: { view: 'demo/search', adapter: 'web-component' },
  reactProduct: { view: 'demo/product', adapter: 'react-18' },
  reactCheckout: { view: 'demo/checkout', adapter: 'react-18' },
  vueProfile: { view: 'demo/profile', adapter: 'vue-3' },
} as const;
export type DemoWidget = keyof typeof DEMO_WIDGET_DEFS;

/** The adapter specs ingestion seeds (migration "seed contracts v1"). */
const ADAPTER_SPEC: Record<string, string> = {
  'react-18': '00000000-0000-4000-a000-00000000a001',
  'vue-3': '00000000-0000-4000-a000-00000000a002',
  'web-component': '00000000-0000-4000-a000-00000000a003',
};

export interface Urls {
  readonly identity: string;
  readonly ingestion: string;
  readonly feedback: string;
  readonly governance: string;
  /** agent-proposals and deployment-outcomes: the hops in agent-hops.ts, deployment-hops.ts. */
  readonly agents?: string;
  readonly deployment?: string;
}

export interface TraceStep {
  readonly hop: string;
  readonly status: 'done';
  readonly at: string;
  readonly ms?: number;
  readonly data: unknown;
}

/** What the loop did, hop by hop; written as JSON next to the screenshots. */
export class LoopTrace {
  readonly started_at = new Date().toISOString();
  readonly steps: TraceStep[] = [];

  async hop<T>(hop: string, run: () => Promise<T>): Promise<T> {
    const started = Date.now();
    const data = await run();
    this.steps.push({
      hop,
      status: 'done',
      at: new Date().toISOString(),
      ms: Date.now() - started,
      data,
    });
    return data;
  }

  /** Something that happened without a hop of its own (set-up, a crash). */
  record(hop: string, data: unknown): void {
    this.steps.push({ hop, status: 'done', at: new Date().toISOString(), data });
  }

  get(hop: string): TraceStep | undefined {
    return this.steps.find((s) => s.hop === hop);
  }
}

export interface Hub {
  readonly hubId: string;
  readonly slug: string;
  readonly widgets: Record<DemoWidget, string>;
  readonly apiKey: string;
  readonly adminToken: string;
}

export async function login(identityUrl: string, email: string, password: string) {
  const { access_token } = await call<{ access_token: string }>(
    `${identityUrl}/api/v1/auth/login`,
    { body: { email, password } },
  );
  return access_token;
}

/** Hop 1: a hub with the demo page's widgets (and their adapter specs) and a hub API key. */
export async function setUpHub(
  urls: Urls,
  admin: { email: string; password: string },
  names: { slug: string; name: string; domain?: string },
): Promise<Hub> {
  const adminToken = await login(urls.identity, admin.email, admin.password);
  const hub = await call<{ id: string }>(`${urls.ingestion}/api/v1/hubs`, {
    token: adminToken,
    body: { slug: names.slug, name: names.name, domain: names.domain ?? '127.0.0.1' },
  });
  const widgets = {} as Record<DemoWidget, string>;
  for (const [name, def] of Object.entries(DEMO_WIDGET_DEFS) as [
    DemoWidget,
    { view: string; adapter: string },
  ][]) {
    const created = await call<{ id: string }>(`${urls.ingestion}/api/v1/hubs/${hub.id}/widgets`, {
      token: adminToken,
      body: {
        name,
        widget_type: def.adapter,
        view_context: def.view,
        adapter_spec_id: ADAPTER_SPEC[def.adapter],
      },
    });
    widgets[name] = created.id;
  }
  const key = await call<{ key: string }>(`${urls.ingestion}/api/v1/hubs/${hub.id}/api-keys`, {
    token: adminToken,
    body: { label: `${names.slug} demo page` },
  });
  return { hubId: hub.id, slug: names.slug, widgets, apiKey: key.key, adminToken };
}

export interface RoleUser {
  readonly id: string;
  readonly email: string;
  readonly password: string;
  readonly role: string;
  token: string;
}

export type Team = Record<'triager' | 'reviewer' | 'governor' | 'viewer', RoleUser>;

/** Hop 2: one user per working role, members of the hub (passwords random, strong). */
export async function createRoleUsers(urls: Urls, hub: Hub, emailDomain: string): Promise<Team> {
  const team = {} as Team;
  for (const role of ['triager', 'reviewer', 'governor', 'viewer'] as const) {
    const email = `${role}@${emailDomain}`;
    const password = `Pw-${randomBytes(12).toString('base64url')}`;
    const user = await call<{ id: string }>(`${urls.identity}/api/v1/users`, {
      token: hub.adminToken,
      body: {
        email,
        name: `${role[0].toUpperCase()}${role.slice(1)} of ${hub.slug}`,
        password,
        roles: [role],
        hub_ids: [hub.hubId],
      },
    });
    team[role] = {
      id: user.id,
      email,
      password,
      role,
      token: await login(urls.identity, email, password),
    };
  }
  return team;
}

export interface ReportedEvent {
  readonly id: string;
  readonly widget_id: string;
  readonly hub_id: string;
  readonly event_type: string;
  readonly occurred_at: string;
  readonly view_context_ref?: string;
  readonly actor_id?: string;
  readonly metadata?: Record<string, unknown>;
}

/** Hop 3 without a browser: events through the reporting API, as the SDK sends them. */
export async function reportEvents(
  urls: Urls,
  hub: Hub,
  events: readonly ReportedEvent[],
): Promise<{ accepted: number; duplicate: number; rejected: { id?: string; reason?: string }[] }> {
  const out = { accepted: 0, duplicate: 0, rejected: [] as { id?: string; reason?: string }[] };
  for (let i = 0; i < events.length; i += 500) {
    const answer = await call<{ results: { id?: string; status: string; reason?: string }[] }>(
      `${urls.ingestion}/api/v1/interaction-events`,
      { token: hub.apiKey, body: { events: events.slice(i, i + 500) }, expect: [202] },
    );
    for (const r of answer.results) {
      if (r.status === 'accepted') out.accepted++;
      else if (r.status === 'duplicate') out.duplicate++;
      else out.rejected.push({ id: r.id, reason: r.reason });
    }
  }
  return out;
}

/** Hop 4 without a browser: an annotation through the reporting API, as the SDK's dialog sends it. */
export async function reportAnnotation(
  urls: Urls,
  hub: Hub,
  note: { widget_id: string; body: string; category: string; severity: string },
): Promise<{ id: string; status: string }> {
  const id = randomUUID();
  const answer = await call<{ status: string }>(`${urls.ingestion}/api/v1/annotations`, {
    token: hub.apiKey,
    body: { id, hub_id: hub.hubId, ...note },
    expect: [202],
  });
  return { id, status: answer.status };
}

export interface StoredAnnotation {
  readonly id: string;
  readonly hub_id: string;
  readonly widget_id: string;
  readonly widget_version: number | null;
  readonly body: string;
  readonly category: string;
  readonly severity: string;
  readonly source: string;
  readonly thread_id: string | null;
}

/** Hop 5: the annotation as feedback stores it (it travelled ingestion → NATS → feedback). */
export async function annotationInFeedback(
  urls: Urls,
  hub: Hub,
  team: Team,
  body: string,
  timeoutMs = 45_000,
): Promise<StoredAnnotation> {
  return eventually(
    `the annotation "${body}" in feedback`,
    async () =>
      (
        await allPages<StoredAnnotation>(
          `${urls.feedback}/api/v1/annotations?hub_id=${hub.hubId}&limit=200`,
          team.triager.token,
        )
      ).find((a) => a.body === body),
    timeoutMs,
  );
}

export interface Candidate {
  readonly id: string;
  readonly status: string;
  readonly version: number;
  readonly source_thread_id: string | null;
  readonly source_widget_id: string;
  readonly reviewer_id: string | null;
  readonly requirement_id: string | null;
  readonly duplicate_of_id: string | null;
  readonly severity: string;
  readonly category: string;
}

/**
 * Hop 6: the triager groups the annotations into a thread and escalates the thread to a
 * candidate (and, when `duplicate` is given, to a second, near-identical candidate: what the
 * duplicates agent flags), then `acceptCandidate` has the reviewer accept the first.
 */
export async function escalate(
  urls: Urls,
  team: Team,
  annotations: readonly StoredAnnotation[],
  texts: { thread: string; candidate: string; description: string; duplicate?: string },
) {
  const thread = await call<{ id: string; annotation_count: number }>(
    `${urls.feedback}/api/v1/threads`,
    {
      token: team.triager.token,
      body: {
        widget_id: annotations[0].widget_id,
        title: texts.thread,
        annotation_ids: annotations.map((a) => a.id),
      },
      expect: [201],
    },
  );
  const candidate = await call<Candidate>(`${urls.feedback}/api/v1/candidates`, {
    token: team.triager.token,
    body: { source_thread_id: thread.id, title: texts.candidate, description: texts.description },
    expect: [201],
  });
  const duplicate = texts.duplicate
    ? await call<Candidate>(`${urls.feedback}/api/v1/candidates`, {
        token: team.triager.token,
        body: {
          source_thread_id: thread.id,
          title: texts.duplicate,
          description: texts.description,
        },
        expect: [201],
      })
    : undefined;
  return { thread, candidate, duplicate };
}

/**
 * The reviewer is assigned (once feedback's read model knows the reviewer, which comes from
 * identity's events) and accepts the candidate (open → in_review → accepted).
 */
export async function acceptCandidate(
  urls: Urls,
  team: Team,
  candidateId: string,
  timeoutMs = 45_000,
): Promise<Candidate> {
  await eventually(
    'the reviewer assignment (feedback learns the reviewer from identity)',
    () =>
      call(`${urls.feedback}/api/v1/candidates/${candidateId}/reviewer`, {
        method: 'PUT',
        token: team.triager.token,
        body: { reviewer_id: team.reviewer.id },
      }),
    timeoutMs,
  );
  for (const to of ['in_review', 'accepted']) {
    await call(`${urls.feedback}/api/v1/candidates/${candidateId}/transitions`, {
      token: team.reviewer.token,
      body: { to, notes: `${to} by the system test's reviewer` },
    });
  }
  return call<Candidate>(`${urls.feedback}/api/v1/candidates/${candidateId}`, {
    token: team.triager.token,
  });
}

/** Hop 6 in one: thread, candidate, the reviewer accepts it. */
export async function triage(
  urls: Urls,
  team: Team,
  annotation: StoredAnnotation,
  texts: { thread: string; candidate: string; description: string },
  timeoutMs = 45_000,
) {
  const { thread, candidate } = await escalate(urls, team, [annotation], texts);
  return { thread, candidate: await acceptCandidate(urls, team, candidate.id, timeoutMs) };
}

export interface Requirement {
  readonly id: string;
  readonly hub_id: string;
  readonly title: string;
  readonly status: string;
  readonly source_candidate_id: string;
  readonly version: number;
}

/** Hop 8: the governor promotes the candidate; feedback then shows it promoted. */
export async function promote(urls: Urls, team: Team, candidateId: string, timeoutMs = 45_000) {
  const requirement = await call<Requirement>(`${urls.governance}/api/v1/requirements`, {
    token: team.governor.token,
    body: { candidate_id: candidateId },
    expect: [201],
  });
  const candidate = await eventually(
    'the candidate promoted in feedback (governance → NATS → feedback)',
    async () => {
      const c = await call<Candidate>(`${urls.feedback}/api/v1/candidates/${candidateId}`, {
        token: team.triager.token,
      });
      return c.status === 'promoted' ? c : undefined;
    },
    timeoutMs,
  );
  return { requirement, candidate };
}

export interface WorkItem {
  readonly id: string;
  readonly system: string;
  readonly work_item_ref: string;
  readonly url: string;
  readonly state: string;
}

/** Hop 9: a decision on the requirement with a policy reference and a GitHub work item. */
export async function decide(
  urls: Urls,
  team: Team,
  requirementId: string,
  input: { title: string; rationale: string; policyScope: string; workItem: string },
) {
  const decision = await call<{ id: string; outcome: string; requirement_id: string }>(
    `${urls.governance}/api/v1/decisions`,
    {
      token: team.governor.token,
      body: {
        id: randomUUID(),
        title: input.title,
        rationale: input.rationale,
        outcome: 'approved',
        requirement_id: requirementId,
      },
      expect: [201],
    },
  );
  const policy = await call<{ id: string; policy_scope: string }>(
    `${urls.governance}/api/v1/decisions/${decision.id}/policy-references`,
    {
      token: team.governor.token,
      body: { policy_scope: input.policyScope, constraint_note: 'checked by the system test' },
      expect: [201],
    },
  );
  const workItem = await call<WorkItem>(
    `${urls.governance}/api/v1/decisions/${decision.id}/work-items`,
    { token: team.governor.token, body: { system: 'github', ref: input.workItem }, expect: [201] },
  );
  return { decision, policy, workItem };
}

/**
 * Hop 10: the hub's webhook secret is set, then GitHub (this function) sends a signed `issues`
 * delivery that closes the item; a replay of the same delivery changes nothing.
 */
export async function closeWorkItem(urls: Urls, team: Team, hub: Hub, ref: string) {
  const match = /^([^/]+\/[^#]+)#(\d+)$/.exec(ref);
  if (!match) throw new Error(`not a GitHub reference: ${ref}`);
  const secret = randomBytes(24).toString('base64url');
  await call(`${urls.governance}/api/v1/hubs/${hub.hubId}/github-webhook-secret`, {
    method: 'PUT',
    token: team.governor.token,
    body: { secret },
    expect: [204],
  });
  const body = JSON.stringify({
    action: 'closed',
    issue: { number: Number(match[2]), state: 'closed', title: 'Fix the price update' },
    repository: { full_name: match[1] },
    sender: { login: 'octocat' },
  });
  const delivery = randomUUID();
  const send = async (signature: string) =>
    call<{ result: string }>(`${urls.governance}/api/v1/webhooks/github/${hub.hubId}`, {
      body,
      headers: {
        'content-type': 'application/json',
        'x-github-event': 'issues',
        'x-github-delivery': delivery,
        'x-hub-signature-256': signature,
      },
      expect: [200, 401],
    });
  const forged = await send(await sign('not-the-secret-of-this-hub', body));
  const first = await send(await sign(secret, body));
  const replay = await send(await sign(secret, body));
  return { delivery, forged, first, replay };
}

export interface Trace {
  readonly requirement: Requirement;
  readonly candidate: {
    id: string;
    status: string;
    source_thread_id: string | null;
    source_annotation_id: string | null;
    source_proposal_id: string | null;
  } | null;
  readonly widget: { id: string; name: string | null; status: string; version: number } | null;
  readonly decisions: {
    id: string;
    outcome: string;
    policy_references: { policy_scope: string }[];
    work_items: WorkItem[];
  }[];
  /** Drafts from accepted `impl_proposal`s of agent-proposals. */
  readonly work_item_drafts: {
    id: string;
    requirement_id: string | null;
    title: string;
    source_proposal_id: string;
  }[];
}

/** Hop 11: the requirement's trace, once governance shows the candidate promoted too. */
export async function readTrace(
  urls: Urls,
  team: Team,
  requirementId: string,
  timeoutMs = 45_000,
): Promise<Trace> {
  return eventually(
    'the trace with the candidate promoted (feedback → NATS → governance)',
    async () => {
      const trace = await call<Trace>(
        `${urls.governance}/api/v1/requirements/${requirementId}/trace`,
        { token: team.viewer.token },
      );
      return trace.candidate?.status === 'promoted' ? trace : undefined;
    },
    timeoutMs,
  );
}

/** The events ingestion stored for a hub since `from` (JWT; every page). */
export function storedEvents(urls: Urls, hub: Hub, token: string, from: string) {
  return allPages<{ id: string; widget_id: string; event_type: string; occurred_at: string }>(
    `${urls.ingestion}/api/v1/hubs/${hub.hubId}/events?limit=1000&from=${encodeURIComponent(from)}`,
    token,
  );
}
