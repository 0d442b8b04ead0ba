import { randomUUID } from 'node:crypto';
import { CONSUMERS, Subjects, type PayloadOf, type Subject } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { GovernanceTestApp, user, widgetSnapshot } from './governance-test-app.js';

/** Governance's consumers. */
type ConsumerKey = {
  [K in keyof typeof CONSUMERS]: (typeof CONSUMERS)[K]['service'] extends 'governance' ? K : never;
}[keyof typeof CONSUMERS];

const KEYS = (Object.keys(CONSUMERS) as (keyof typeof CONSUMERS)[]).filter(
  (k): k is ConsumerKey => CONSUMERS[k].service === 'governance',
);

/** For each consumer, a message its validation refuses (the required fields are missing). */
const REFUSED: Record<ConsumerKey, Subject> = {
  governance_feedback_candidates: Subjects.Feedback.CandidateCreatedV1,
  governance_ingestion_widgets: Subjects.Ingestion.WidgetRegisteredV1,
  governance_identity: Subjects.Identity.UserCreatedV1,
  governance_agents: Subjects.Agents.ProposalAcceptedV1,
};

const HUB = randomUUID();

describe('governance: its consumers and read models', () => {
  let t: GovernanceTestApp;

  beforeAll(async () => {
    t = await GovernanceTestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('dead-letters an invalid message once on every consumer', async () => {
    expect(Object.keys(REFUSED).sort()).toEqual([...KEYS].sort());
    for (const key of KEYS) {
      expect(REFUSED[key].startsWith(CONSUMERS[key].filterSubject.replace(/>$/, ''))).toBe(true);
      await t.publish(REFUSED[key], {} as PayloadOf<Subject>, { breaksContract: true });
    }
    for (const key of KEYS) {
      const reasons = await waitFor(
        async () => {
          const r = await t.deadLetters(CONSUMERS[key].durable);
          return r.length > 0 ? r : undefined;
        },
        { timeoutMs: 15_000, message: `${key}'s dead letter` },
      );
      expect(reasons).toHaveLength(1);
      expect(reasons[0]).toMatch(/^invalid payload: /);
    }
  });

  it('dead-letters a proposal naming a decision of another hub, with the reason', async () => {
    await t.publish(
      'ihf.agents.proposal.accepted.v1',
      {
        proposal_id: randomUUID(),
        kind: 'policy_flag',
        hub_id: HUB,
        accepted_by: randomUUID(),
        accepted_at: new Date().toISOString(),
        decision_id: randomUUID(),
        policy_scope: 'privacy',
      },
      { hubId: HUB },
    );
    await waitFor(
      async () =>
        (await t.deadLetters(CONSUMERS.governance_agents.durable)).some((r) =>
          /does not exist in hub/.test(r),
        ) || undefined,
      { timeoutMs: 15_000, message: 'the refused proposal dead-lettered' },
    );
  });

  it('dead-letters an impl_proposal without a target or with a non-UUID decision_id, with the reason', async () => {
    const implProposal = (target: {
      decision_id?: string | null;
      requirement_id?: string | null;
    }) =>
      t.publish(
        'ihf.agents.proposal.accepted.v1',
        {
          proposal_id: randomUUID(),
          kind: 'impl_proposal',
          hub_id: HUB,
          accepted_by: randomUUID(),
          accepted_at: new Date().toISOString(),
          title: 'Build it',
          description: 'As decided',
          ...target,
        },
        { hubId: HUB },
      );
    // The contract lets both through: decision_id is checked only for policy_flag.
    const neither = await implProposal({ decision_id: null, requirement_id: null });
    const notUuid = await implProposal({ decision_id: 'not-a-uuid' });
    const reasons = await waitFor(
      async () => {
        const r = await t.deadLetters(CONSUMERS.governance_agents.durable);
        return r.some((x) => /names neither a decision nor a requirement/.test(x)) &&
          r.some((x) => /decision_id "not-a-uuid" is not a UUID/.test(x))
          ? r
          : undefined;
      },
      { timeoutMs: 15_000, message: 'both refused impl_proposals dead-lettered' },
    );
    expect(reasons.filter((r) => r.includes(neither.payload.proposal_id))).toHaveLength(1);
    expect(reasons.filter((r) => r.includes(notUuid.payload.proposal_id))).toHaveLength(1);
    expect(
      await t.sql(
        'select 1 from governance.work_item_drafts where source_proposal_id in ($1, $2)',
        [neither.payload.proposal_id, notUuid.payload.proposal_id],
      ),
    ).toEqual([]);
  });

  it('keeps the newest candidate status whatever the order its events arrive in', async () => {
    const candidateId = randomUUID();
    const widgetId = randomUUID();
    const status = (to: 'in_review' | 'accepted', version: number) =>
      t.publish(
        'ihf.feedback.candidate.status_changed.v1',
        {
          candidate_id: candidateId,
          from: 'open',
          to,
          notes: null,
          duplicate_of_id: null,
          requirement_id: null,
          changed_by: null,
          version,
          changed_at: new Date().toISOString(),
        },
        { hubId: HUB, aggregateId: candidateId, aggregateVersion: version },
      );
    // The acceptance (version 3) overtakes the review (2) and the creation (1).
    await status('accepted', 3);
    await status('in_review', 2);
    await t.publish(
      'ihf.feedback.candidate.created.v1',
      {
        candidate_id: candidateId,
        title: 'Late creation',
        description: 'arrives last',
        category: 'bug',
        severity: 'low',
        source_widget_id: widgetId,
        source_thread_id: null,
        source_annotation_id: null,
        source_proposal_id: null,
        created_by: null,
        created_at: new Date().toISOString(),
      },
      { hubId: HUB, aggregateId: candidateId, aggregateVersion: 1 },
    );
    const row = await waitFor(
      async () =>
        (
          await t.sql<{ status: string; version: number; title: string | null }>(
            'select status, version, title from governance.candidates where id = $1',
            [candidateId],
          )
        )
          // The three events can be applied concurrently: the creation may commit before the
          // newer status does, so wait for both (a status lost to the creation times out here).
          .find((r) => r.title !== null && r.version === 3),
      { timeoutMs: 10_000, message: 'the candidate with its title and its newest status' },
    );
    expect(row).toEqual({ status: 'accepted', version: 3, title: 'Late creation' });
    // So it can be promoted, with the widget of its creation in the trace.
    await t.registerWidget(HUB, 'Checkout button');
    const governor = user(['governor'], [HUB]);
    const promoted = await t.request<{ id: string; source_widget_id: string }>(
      'POST',
      '/api/v1/requirements',
      { user: governor, body: { candidate_id: candidateId } },
    );
    expect(promoted.body.source_widget_id).toBe(widgetId);
  });

  it('names the decider in the MADR record from identity, and shows the widget in the trace', async () => {
    const governor = user(['governor'], [HUB]);
    await t.publish(
      'ihf.identity.user.created.v1',
      {
        user_id: governor.id,
        kind: 'user',
        name: 'Grace Governor',
        roles: ['governor'],
        created_at: new Date().toISOString(),
      },
      { aggregateId: governor.id, aggregateVersion: 1 },
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from governance.principals where user_id = $1', [governor.id]))
          .length > 0 || undefined,
      { timeoutMs: 10_000, message: 'the principal' },
    );
    const widgetId = await t.registerWidget(HUB, 'Search box');
    const candidateId = await t.candidate(HUB, 'accepted', { widgetId });
    const r = await t.request<{ id: string }>('POST', '/api/v1/requirements', {
      user: governor,
      body: { candidate_id: candidateId },
    });
    const d = await t.request<{ id: string }>('POST', '/api/v1/decisions', {
      user: governor,
      body: { title: 'Go', rationale: 'Because', outcome: 'approved', requirement_id: r.body.id },
    });
    const md = await t.request<string>('GET', `/api/v1/decisions/${d.body.id}`, {
      user: governor,
      headers: { accept: 'text/markdown' },
    });
    expect(md.body).toContain('deciders: "Grace Governor"');
    const trace = await t.request<{ widget: { name: string; version: number }; candidate: object }>(
      'GET',
      `/api/v1/requirements/${r.body.id}/trace`,
      { user: governor },
    );
    expect(trace.body.widget).toMatchObject({ name: 'Search box', version: 1 });
    expect(trace.body.candidate).toMatchObject({ id: candidateId, status: 'accepted' });
  });

  it('looks a widget the read model lacks up at ingestion for the trace, and answers without it when ingestion is down', async () => {
    const governor = user(['governor'], [HUB]);
    const widgetId = randomUUID();
    const candidateId = await t.candidate(HUB, 'accepted', { widgetId });
    const r = await t.request<{ id: string }>('POST', '/api/v1/requirements', {
      user: governor,
      body: { candidate_id: candidateId },
    });
    t.serveWidgetLookups(new Map([[widgetId, widgetSnapshot(widgetId, HUB, 4, 'Cart icon')]]));
    const traced = await t.request<{ widget: { name: string; version: number } | null }>(
      'GET',
      `/api/v1/requirements/${r.body.id}/trace`,
      { user: governor },
    );
    expect(traced.body.widget).toMatchObject({ name: 'Cart icon', version: 4 });
    t.serveWidgetLookups(null);
    const without = await t.request<{ widget: unknown }>(
      'GET',
      `/api/v1/requirements/${r.body.id}/trace`,
      { user: governor },
    );
    expect(without).toMatchObject({ status: 200, body: { widget: null } });
  });
});
