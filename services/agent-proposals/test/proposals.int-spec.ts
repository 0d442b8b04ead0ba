import { randomUUID } from 'node:crypto';
import { waitFor } from '@ihf/testing';
import { AgentsTestApp, agentClient, person } from './agents-test-app.js';

// External agents' proposals and people's reviews over HTTP, against real Postgres and NATS:
// tokens, validation, dedupe, supersession, one review per proposal, the events a review
// publishes, the review queue and the scorecard.

const HUB = randomUUID();
const OTHER_HUB = randomUUID();

interface View {
  id: string;
  status: string;
  kind: string;
  confidence: number;
  superseded_by_id: string | null;
  details: Record<string, unknown>;
  review: { decision: string; modified_content: string | null } | null;
  code?: string;
  errors?: { field: string }[];
  invalid_fields?: { field: string }[];
}

describe('agent-proposals: external agents post, people review', () => {
  let t: AgentsTestApp;
  const bot = agentClient([HUB]);
  const reviewer = person(['reviewer'], [HUB]);

  beforeAll(async () => {
    t = await AgentsTestApp.start({ AGENTS_BUILTIN_ENABLED: 'false' });
  });
  afterAll(async () => {
    await t?.close();
  });

  const duplicateFlag = (overrides: Record<string, unknown> = {}) => ({
    hub_id: HUB,
    kind: 'duplicate_flag',
    model_ref: 'acme-bot/dup@3',
    confidence: 0.8,
    content: 'These two candidates describe the same hidden checkout button',
    source_candidate_id: randomUUID(),
    details: { duplicate_of_id: randomUUID() },
    confidence_dimensions: [{ dimension: 'accuracy', score: 0.8, explanation: 'same words' }],
    ...overrides,
  });
  const post = (body: object, as = bot) =>
    t.request<View>('POST', '/api/v1/proposals', { as, body });
  const review = (id: string, body: object, as = reviewer) =>
    t.request<View>('POST', `/api/v1/proposals/${id}/review`, { as, body });
  const count = async () =>
    Number((await t.sql<{ n: string }>('select count(*) as n from agents.agent_proposals'))[0].n);

  it("stores a good agent token's proposal, pending, with its dimensions and a created event", async () => {
    const body = duplicateFlag();
    const res = await post(body);
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'pending',
      kind: 'duplicate_flag',
      origin: 'external',
      agent: bot.id,
      confidence: 0.8,
      source_candidate_id: body.source_candidate_id,
      details: {
        candidate_id: body.source_candidate_id,
        duplicate_of_id: body.details.duplicate_of_id,
      },
      confidence_dimensions: [{ dimension: 'accuracy', score: 0.8, explanation: 'same words' }],
    });
    await t.waitForEvent(
      'ihf.agents.proposal.created.v1',
      (e) => e.payload.proposal_id === res.body.id,
    );
    // The identical proposal again: not stored twice, the first one answered with 200.
    const again = await post(body);
    expect(again.status).toBe(200);
    expect(again.body.id).toBe(res.body.id);
  });

  it('refuses a user token, another hub, a malformed body and unusable details, storing nothing', async () => {
    const before = await count();
    const asUser = await post(duplicateFlag(), person(['admin'], [HUB]));
    expect(asUser.status).toBe(403);
    expect(asUser.body.code).toBe('AUTH.ROLE_REQUIRED');
    // A person's token that somehow carries the agent role is still not an agent's.
    const asPersonAgent = await post(duplicateFlag(), { ...person(['agent'], [HUB]) });
    expect(asPersonAgent.status).toBe(403);
    expect(asPersonAgent.body.code).toBe('AGENTS.AGENT_TOKEN_REQUIRED');
    const asOtherHub = await post(duplicateFlag(), agentClient([OTHER_HUB]));
    expect(asOtherHub.status).toBe(403);
    expect(asOtherHub.body.code).toBe('AUTH.HUB_ACCESS_DENIED');
    const malformed = await post(duplicateFlag({ confidence: 1.5, kind: 'poem' }));
    expect(malformed.status).toBe(400);
    expect(malformed.contentType).toContain('application/problem+json');
    expect(malformed.body.errors?.map((e) => e.field).sort()).toEqual(['confidence', 'kind']);
    const unusable = await post(duplicateFlag({ details: {} }));
    expect(unusable.status).toBe(422);
    expect(unusable.body.code).toBe('AGENTS.PROPOSAL_DETAILS_INVALID');
    expect(unusable.body.invalid_fields?.map((e) => e.field)).toEqual(['details.duplicate_of_id']);
    const noSource = await post(
      duplicateFlag({
        source_candidate_id: undefined,
        details: { candidate_id: randomUUID(), duplicate_of_id: randomUUID() },
      }),
    );
    expect(noSource.status).toBe(422);
    const anonymous = await t.request('POST', '/api/v1/proposals', { body: duplicateFlag() });
    expect(anonymous.status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('supersedes a pending proposal of the same kind and sources', async () => {
    const candidateId = randomUUID();
    const first = await post(duplicateFlag({ source_candidate_id: candidateId, content: 'first' }));
    const second = await post(
      duplicateFlag({ source_candidate_id: candidateId, content: 'second' }),
    );
    expect([first.status, second.status]).toEqual([201, 201]);
    const old = await t.request<View>('GET', `/api/v1/proposals/${first.body.id}`, {
      as: reviewer,
    });
    expect(old.body).toMatchObject({ status: 'superseded', superseded_by_id: second.body.id });
    await t.waitForEvent(
      'ihf.agents.proposal.superseded.v1',
      (e) =>
        e.payload.proposal_id === first.body.id && e.payload.superseded_by_id === second.body.id,
    );
    const late = await review(first.body.id, { decision: 'accepted' });
    expect(late.status).toBe(409);
    expect(late.body.code).toBe('AGENTS.PROPOSAL_SUPERSEDED');
  });

  it('takes one review per proposal: accepting publishes accepted and reviewed, a second is 409', async () => {
    const p = await post(duplicateFlag());
    const byAgent = await review(p.body.id, { decision: 'accepted' }, bot);
    expect(byAgent.status).toBe(403);
    const byStranger = await review(
      p.body.id,
      { decision: 'accepted' },
      person(['reviewer'], [OTHER_HUB]),
    );
    expect(byStranger.status).toBe(404);
    const ok = await review(p.body.id, { decision: 'accepted', notes: 'right' });
    expect(ok.status).toBe(201);
    expect(ok.body).toMatchObject({ status: 'accepted', review: { decision: 'accepted' } });
    const second = await review(p.body.id, { decision: 'rejected' });
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('AGENTS.PROPOSAL_ALREADY_REVIEWED');
    const accepted = await t.waitForEvent(
      'ihf.agents.proposal.accepted.v1',
      (e) => e.payload.proposal_id === p.body.id,
    );
    expect(accepted.payload).toMatchObject({
      kind: 'duplicate_flag',
      hub_id: HUB,
      accepted_by: reviewer.id,
      candidate_id: p.body.details.candidate_id,
      duplicate_of_id: p.body.details.duplicate_of_id,
      notes: 'right',
    });
    await t.waitForEvent(
      'ihf.agents.proposal.reviewed.v1',
      (e) => e.payload.proposal_id === p.body.id && e.payload.decision === 'accepted',
    );
    // The review record is append-only in the database itself.
    await expect(
      t.sql(`update agents.agent_review_records set decision = 'rejected' where proposal_id = $1`, [
        p.body.id,
      ]),
    ).rejects.toThrow(/append-only/);
  });

  it('carries a modified review into the accepted event and keeps the original beside it', async () => {
    const widgetId = randomUUID();
    const p = await post({
      hub_id: HUB,
      kind: 'requirement_draft',
      model_ref: 'acme-bot/drafts@1',
      confidence: 0.6,
      content: 'Draft: make the checkout button visible',
      source_widget_id: widgetId,
      details: {
        title: 'Checkout button',
        description: 'Users cannot find it',
        category: 'friction',
      },
    });
    expect(p.status).toBe(201);
    const bad = await review(p.body.id, {
      decision: 'modified',
      details: { category: 'nonsense' },
    });
    expect(bad.status).toBe(400);
    const noEdit = await review(p.body.id, { decision: 'modified' });
    expect(noEdit.status).toBe(422);
    const res = await review(p.body.id, {
      decision: 'modified',
      content: 'Draft: show the checkout button above the fold',
      details: { title: 'Show the checkout button above the fold', severity: 'high' },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      status: 'accepted',
      details: { title: 'Checkout button' },
      review: {
        decision: 'modified',
        modified_content: 'Draft: show the checkout button above the fold',
      },
    });
    const accepted = await t.waitForEvent(
      'ihf.agents.proposal.accepted.v1',
      (e) => e.payload.proposal_id === p.body.id,
    );
    expect(accepted.payload).toMatchObject({
      kind: 'requirement_draft',
      title: 'Show the checkout button above the fold',
      description: 'Users cannot find it',
      category: 'friction',
      severity: 'high',
      source_widget_id: widgetId,
    });
  });

  it('publishes reviewed but not accepted for a rejection', async () => {
    const p = await post(duplicateFlag());
    expect(
      (await review(p.body.id, { decision: 'rejected', notes: 'different pages' })).status,
    ).toBe(201);
    await t.waitForEvent(
      'ihf.agents.proposal.reviewed.v1',
      (e) => e.payload.proposal_id === p.body.id && e.payload.decision === 'rejected',
    );
    expect(
      await t.agentEvents(
        'ihf.agents.proposal.accepted.v1',
        (e) => e.payload.proposal_id === p.body.id,
      ),
    ).toEqual([]);
  });

  it('lists the review queue with filters and cursor pagination', async () => {
    const hub = randomUUID();
    const agent = agentClient([hub]);
    const widgetId = randomUUID();
    const ids: string[] = [];
    for (const [i, confidence] of [0.2, 0.5, 0.7, 0.9].entries()) {
      const res = await post(
        duplicateFlag({
          hub_id: hub,
          confidence,
          content: `flag ${i}`,
          source_widget_id: i % 2 ? widgetId : undefined,
        }),
        agent,
      );
      ids.push(res.body.id);
    }
    const member = person(['viewer'], [hub]);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { status: number; body: { items: View[]; next_cursor: string | null } } =
        await t.request(
          'GET',
          `/api/v1/proposals?hub_id=${hub}&limit=3${cursor ? `&cursor=${cursor}` : ''}`,
          { as: member },
        );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(ids);
    const confident = await t.request<{ items: View[] }>(
      'GET',
      `/api/v1/proposals?hub_id=${hub}&min_confidence=0.6&kind=duplicate_flag`,
      { as: member },
    );
    expect(confident.body.items.map((i) => i.id)).toEqual(ids.slice(2));
    const byWidget = await t.request<{ items: View[] }>(
      'GET',
      `/api/v1/proposals?source_widget_id=${widgetId}`,
      { as: member },
    );
    expect(byWidget.body.items.map((i) => i.id)).toEqual([ids[1], ids[3]]);
    const old = await t.request<{ items: View[] }>(
      'GET',
      `/api/v1/proposals?hub_id=${hub}&min_age_hours=1`,
      { as: member },
    );
    expect(old.body.items).toEqual([]);
    const foreign = await t.request('GET', `/api/v1/proposals?hub_id=${hub}`, { as: reviewer });
    expect(foreign.status).toBe(403);
    const badCursor = await t.request('GET', `/api/v1/proposals?cursor=abc`, { as: member });
    expect(badCursor.status).toBe(400);
  });

  it('computes the scorecard and calibration of a known set of reviews', async () => {
    const hub = randomUUID();
    const agent = agentClient([hub]);
    const boss = person(['reviewer'], [hub]);
    const set: [number, 'accepted' | 'modified' | 'rejected' | null][] = [
      [0.9, 'accepted'],
      [0.9, 'modified'],
      [0.9, 'rejected'],
      [0.2, 'rejected'],
      [0.5, null],
    ];
    for (const [i, [confidence, decision]] of set.entries()) {
      const p = await post(
        duplicateFlag({
          hub_id: hub,
          confidence,
          content: `scored ${i}`,
          model_ref: 'acme/score@1',
        }),
        agent,
      );
      if (decision) {
        const body = decision === 'modified' ? { decision, content: 'edited' } : { decision };
        expect((await review(p.body.id, body, boss)).status).toBe(201);
      }
    }
    const res = await t.request<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/v1/scorecards?hub_id=${hub}`,
      { as: boss },
    );
    expect(res.status).toBe(200);
    expect(res.body.items).toEqual([
      {
        agent: agent.id,
        model_ref: 'acme/score@1',
        kind: 'duplicate_flag',
        proposals: 5,
        pending: 1,
        superseded: 0,
        accepted: 1,
        modified: 1,
        rejected: 2,
        acceptance_rate: 0.5,
        brier_score: 0.2175,
        expected_calibration_error: 0.225,
        calibration: [
          { lower: 0.2, upper: 0.3, reviewed: 1, mean_confidence: 0.2, acceptance_rate: 0 },
          { lower: 0.9, upper: 1, reviewed: 3, mean_confidence: 0.9, acceptance_rate: 0.6667 },
        ],
      },
    ]);
  });

  it('serves the AsyncAPI document at /docs/asyncapi without credentials', async () => {
    const res = await t.request<{
      asyncapi: string;
      channels: Record<string, { address: string }>;
    }>('GET', '/docs/asyncapi');
    expect(res.status).toBe(200);
    expect(res.body.asyncapi).toBe('3.1.0');
    expect(Object.values(res.body.channels).map((c) => c.address)).toContain(
      'ihf.agents.proposal.accepted.v1',
    );
  });

  it('answers an unknown proposal with 404 and a non-UUID id with 400', async () => {
    expect(
      (await t.request('GET', `/api/v1/proposals/${randomUUID()}`, { as: reviewer })).status,
    ).toBe(404);
    expect((await t.request('GET', `/api/v1/proposals/nope`, { as: reviewer })).status).toBe(400);
    await waitFor(() => Promise.resolve(true), { timeoutMs: 10 });
  });
});
