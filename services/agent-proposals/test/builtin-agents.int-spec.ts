import { randomUUID } from 'node:crypto';
import { waitFor } from '@ihf/testing';
import { AgentsTestApp } from './agents-test-app.js';

// The built-in agents as JetStream consumers of the events feedback, ingestion and governance
// publish, against real Postgres (pg_trgm) and NATS: no model, no network.

describe('agent-proposals: built-in agents', () => {
  let t: AgentsTestApp;

  beforeAll(async () => {
    t = await AgentsTestApp.start();
  });
  afterAll(async () => {
    await t?.close();
  });

  it('flags the second of two near-identical candidates as a duplicate, with their similarity', async () => {
    const hub = randomUUID();
    const widgetId = randomUUID();
    const first = await t.candidate(
      hub,
      'The checkout button is hidden',
      'Users cannot find the checkout button on the cart page',
      widgetId,
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from agents.candidates where id = $1', [first])).length > 0 ||
        undefined,
      { timeoutMs: 20_000, message: 'the first candidate in the read model' },
    );
    // Unrelated: no flag.
    await t.candidate(hub, 'Export the report as PDF', 'Finance wants a printable monthly report');
    const second = await t.candidate(
      hub,
      'Checkout button is hidden',
      'Users cannot find the checkout button on the cart page on mobile',
      widgetId,
    );
    const flag = await t.waitForProposal(hub, 'duplicate_flag');
    const [{ similarity }] = await t.sql<{ similarity: number }>(
      `select agents.text_similarity($1, $2) as similarity`,
      [
        'The checkout button is hidden Users cannot find the checkout button on the cart page',
        'Checkout button is hidden Users cannot find the checkout button on the cart page on mobile',
      ],
    );
    expect(similarity).toBeGreaterThan(0.55);
    expect(flag).toMatchObject({
      origin: 'builtin',
      agent: 'builtin:duplicates',
      model_ref: 'ihf-builtin/duplicates@1',
      source_candidate_id: second,
      source_widget_id: widgetId,
      status: 'pending',
      details: { candidate_id: second, duplicate_of_id: first },
    });
    expect(Number(flag.confidence)).toBeCloseTo(similarity, 2);
    const dims = await t.sql(
      'select dimension, score from agents.confidence_annotations where proposal_id = $1 order by dimension',
      [flag.id],
    );
    expect(dims).toEqual([
      { dimension: 'accuracy', score: expect.any(String) as string },
      { dimension: 'relevance', score: '1.000' },
    ]);
    // Exactly one flag: the unrelated candidate was not flagged.
    expect(await t.proposals(hub, 'duplicate_flag')).toHaveLength(1);
  });

  it('flags the later candidate whichever of the two events arrives first, once', async () => {
    const hub = randomUUID();
    const earlier = new Date(Date.now() - 60_000);
    // The later candidate's event comes first.
    const later = await t.candidate(
      hub,
      'Search results ignore accents',
      'Searching for cafe does not find café in the catalogue search',
      undefined,
      new Date(),
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from agents.candidates where id = $1', [later])).length > 0 ||
        undefined,
      { timeoutMs: 20_000, message: 'the later candidate in the read model' },
    );
    const first = await t.candidate(
      hub,
      'Search results ignore accents',
      'Searching for cafe does not find café in the catalogue',
      undefined,
      earlier,
    );
    const flag = await t.waitForProposal(hub, 'duplicate_flag');
    expect(flag).toMatchObject({
      source_candidate_id: later,
      details: { candidate_id: later, duplicate_of_id: first },
    });
    expect(await t.proposals(hub, 'duplicate_flag')).toHaveLength(1);
  });

  it('flags one of two similar candidates created at the same moment (handled concurrently)', async () => {
    const hub = randomUUID();
    const at = new Date();
    const [a, b] = await Promise.all([
      t.candidate(
        hub,
        'Invoice PDF is blank',
        'The downloaded invoice PDF shows an empty page',
        undefined,
        at,
      ),
      t.candidate(
        hub,
        'Invoice PDF is blank',
        'The downloaded invoice PDF shows an empty page!',
        undefined,
        new Date(at.getTime() + 1),
      ),
    ]);
    const flag = await t.waitForProposal(hub, 'duplicate_flag');
    expect(flag.details).toEqual({ candidate_id: b, duplicate_of_id: a });
    expect(await t.proposals(hub, 'duplicate_flag')).toHaveLength(1);
  });

  async function annotate(
    hub: string,
    widgetId: string,
    threadId: string,
    body: string,
    category: 'friction' | 'bug' = 'friction',
  ) {
    const annotationId = randomUUID();
    await t.publish(
      'ihf.ingestion.annotation.submitted.v1',
      {
        annotation_id: annotationId,
        hub_id: hub,
        widget_id: widgetId,
        widget_version: 1,
        parent_id: null,
        body,
        category,
        severity: 'medium',
        actor_id: null,
        actor_type: 'anonymous',
        widget_state_ref: null,
        submitted_at: new Date().toISOString(),
      },
      { hubId: hub },
    );
    await t.publish(
      'ihf.feedback.annotation.created.v1',
      {
        annotation_id: annotationId,
        widget_id: widgetId,
        parent_id: null,
        thread_id: threadId,
        category,
        severity: 'medium',
        actor_id: null,
        actor_type: 'anonymous',
        source: 'ingestion',
        created_at: new Date().toISOString(),
      },
      { hubId: hub, aggregateId: annotationId },
    );
    return annotationId;
  }

  it('summarises a thread, supersedes the summary as it grows, and drafts a requirement', async () => {
    const hub = randomUUID();
    const widgetId = randomUUID();
    const threadId = randomUUID();
    await t.publish(
      'ihf.feedback.thread.created.v1',
      {
        thread_id: threadId,
        widget_id: widgetId,
        title: 'Hidden checkout',
        created_by: null,
        created_at: new Date().toISOString(),
      },
      { hubId: hub, aggregateId: threadId },
    );
    await annotate(
      hub,
      widgetId,
      threadId,
      'The checkout button is hidden below the fold. I like the colours.',
    );
    await annotate(hub, widgetId, threadId, 'I cannot find the checkout button on mobile.');
    const first = await t.waitForProposal(hub, 'summary');
    expect(first).toMatchObject({
      model_ref: 'ihf-builtin/summaries@1',
      source_thread_id: threadId,
      source_widget_id: widgetId,
    });
    expect(first.content).toContain('checkout button');
    expect(first.content).toContain('(2 annotations)');
    const firstConfidence = Number(first.confidence);
    expect(firstConfidence).toBeGreaterThanOrEqual(0.05);
    expect(firstConfidence).toBeLessThanOrEqual(0.95);

    const third = await annotate(
      hub,
      widgetId,
      threadId,
      'Checkout button hidden, had to scroll. Weather is nice.',
      'bug',
    );
    const second = await t.waitForProposal(hub, 'summary', (p) =>
      String(p.content).includes('(3 annotations)'),
    );
    const summaries = await t.proposals(hub, 'summary');
    expect(summaries.map((s) => [s.id, s.status, s.superseded_by_id])).toEqual([
      [first.id, 'superseded', second.id],
      [second.id, 'pending', null],
    ]);
    const draft = await t.waitForProposal(hub, 'requirement_draft');
    expect(draft).toMatchObject({
      model_ref: 'ihf-builtin/requirement-drafts@1',
      source_thread_id: threadId,
      details: {
        category: 'friction',
        severity: 'medium',
        source_widget_id: widgetId,
        source_thread_id: threadId,
      },
    });
    // 2 of 3 annotations agree on the category; 3 of the 5 that count fully: (2/3)·(3/5) = 0.4.
    expect(Number(draft.confidence)).toBeCloseTo(0.4, 3);
    expect(String((draft.details as { title: string }).title).toLowerCase()).toContain(
      'checkout button',
    );
    expect(third).toBeDefined();
  });

  it('flags a decision that touches personal data, and drafts a work item from a promoted requirement', async () => {
    const hub = randomUUID();
    const candidateId = await t.candidate(
      hub,
      'Show the e-mail address on the profile page',
      'People want to check which e-mail address and phone number we have for them',
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from agents.candidates where id = $1', [candidateId])).length > 0 ||
        undefined,
      { timeoutMs: 20_000, message: 'the candidate in the read model' },
    );
    const decisionId = randomUUID();
    await t.publish(
      'ihf.governance.decision.recorded.v1',
      {
        decision_id: decisionId,
        title: 'Show contact details on the profile',
        outcome: 'approved',
        requirement_id: null,
        candidate_id: candidateId,
        supersedes_id: null,
        decided_by: null,
        decided_at: new Date().toISOString(),
      },
      { hubId: hub, aggregateId: decisionId },
    );
    const flag = await t.waitForProposal(hub, 'policy_flag');
    expect(flag).toMatchObject({
      model_ref: 'ihf-builtin/policy-flags@1',
      source_decision_id: decisionId,
      details: { decision_id: decisionId, policy_scope: 'personal-data' },
    });
    // e-mail, phone, address: 0.4 + 3 × 0.15 = 0.85 (the cap), no widget scope known.
    expect(Number(flag.confidence)).toBeCloseTo(0.85, 3);

    const requirementId = randomUUID();
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      {
        requirement_id: requirementId,
        candidate_id: candidateId,
        hub_id: hub,
        promoted_by: null,
        promoted_at: new Date().toISOString(),
        title: 'Show contact details on the profile',
      },
      { hubId: hub, aggregateId: requirementId },
    );
    const impl = await t.waitForProposal(hub, 'impl_proposal');
    expect(impl).toMatchObject({
      model_ref: 'ihf-builtin/implementation@1',
      source_requirement_id: requirementId,
      details: {
        requirement_id: requirementId,
        title: 'Implement: Show contact details on the profile',
      },
    });
    expect(Number(impl.confidence)).toBe(0.5); // the description has 78 characters: not > 80
  });
});
