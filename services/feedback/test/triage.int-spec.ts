import { randomUUID } from 'node:crypto';
import { CANDIDATE_STATUSES, type CandidateStatus } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { allowedTransitions } from '../src/triage/triage-workflow.js';
import { FeedbackTestApp, type TestUser, user } from './feedback-test-app.js';

const HUB_A = randomUUID();
const HUB_B = randomUUID();

interface Candidate {
  id: string;
  hub_id: string;
  status: CandidateStatus;
  allowed_transitions: CandidateStatus[];
  severity: string;
  category: string;
  version: number;
  reviewer_id: string | null;
  duplicate_of_id: string | null;
  requirement_id: string | null;
  source_widget_id: string;
  source_annotation_id: string | null;
  source_thread_id: string | null;
  source_proposal_id: string | null;
  created_at: string;
}

interface Problem {
  code: string;
  allowed_transitions?: CandidateStatus[];
}

describe('feedback: requirement candidates and the triage workflow', () => {
  let t: FeedbackTestApp;
  let widgetA: string;
  let widgetB: string;
  const member = user(['viewer'], [HUB_A]);
  const triager = user(['triager'], [HUB_A]);
  const triagerB = user(['triager'], [HUB_B]);
  const reviewer = user(['reviewer'], [HUB_A]);
  const otherReviewer = user(['reviewer'], [HUB_A]);
  const reviewerOfB = user(['reviewer'], [HUB_B]);

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    widgetA = await t.registerWidget(HUB_A);
    widgetB = await t.registerWidget(HUB_B);
    for (const u of [reviewer, otherReviewer, reviewerOfB]) await t.announceUser(u);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function annotate(
    widgetId = widgetA,
    by: TestUser = member,
    extra: Record<string, unknown> = {},
  ): Promise<string> {
    const res = await t.request<{ id: string }>('POST', '/api/v1/annotations', {
      user: by,
      body: { widget_id: widgetId, body: 'the checkout button is hidden', ...extra },
    });
    expect(res.status).toBe(201);
    return res.body.id;
  }

  async function escalate(
    extra: Record<string, unknown> = {},
    by: TestUser = triager,
    widgetId = widgetA,
  ): Promise<Candidate> {
    const annotationId = await annotate(
      widgetId,
      widgetId === widgetA ? member : user(['viewer'], [HUB_B]),
    );
    const res = await t.request<Candidate>('POST', '/api/v1/candidates', {
      user: by,
      body: {
        title: 'Make the checkout button visible',
        description: 'Users cannot find it',
        source_annotation_id: annotationId,
        ...extra,
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function move(
    id: string,
    to: CandidateStatus,
    extra: Record<string, unknown> = {},
    by: TestUser = triager,
  ) {
    return t.request<Candidate & Problem>('POST', `/api/v1/candidates/${id}/transitions`, {
      user: by,
      body: { to, ...extra },
    });
  }

  interface AuditRow {
    status: string;
    from_status: string | null;
    notes: string | null;
    changed_by: string | null;
  }

  async function auditRows(candidateId: string): Promise<AuditRow[]> {
    return t.sql(
      'select status, from_status, notes, changed_by from feedback.triage_states where candidate_id = $1 order by changed_at, id',
      [candidateId],
    );
  }

  it('escalates an annotation into an open candidate, with its first audit row and event', async () => {
    const candidate = await escalate({ category: 'bug', severity: 'high' });
    expect(candidate).toMatchObject({
      hub_id: HUB_A,
      status: 'open',
      category: 'bug',
      severity: 'high',
      source_widget_id: widgetA,
      allowed_transitions: ['in_review', 'duplicate'],
      version: 1,
    });
    expect(await auditRows(candidate.id)).toEqual([
      { status: 'open', from_status: null, notes: null, changed_by: triager.id },
    ]);
    await t.waitForEvent(
      'ihf.feedback.candidate.created.v1',
      (e) => e.payload.candidate_id === candidate.id,
    );
    const forbidden = await t.request('POST', '/api/v1/candidates', {
      user: member,
      body: { title: 'x', description: 'y', source_annotation_id: randomUUID() },
    });
    expect(forbidden.status).toBe(403);
    const noSource = await t.request('POST', '/api/v1/candidates', {
      user: triager,
      body: { title: 'x', description: 'y' },
    });
    expect(noSource.body.code).toBe('FEEDBACK.CANDIDATE_SOURCE_REQUIRED');
  });

  it('escalates a thread, taking its highest severity and commonest category', async () => {
    const thread = await t.request<{ id: string }>('POST', '/api/v1/threads', {
      user: triager,
      body: { widget_id: widgetA, title: 'Grouped' },
    });
    for (const [severity, category] of [
      ['low', 'idea'],
      ['critical', 'bug'],
      ['medium', 'bug'],
    ]) {
      await annotate(widgetA, member, { severity, category, thread_id: thread.body.id });
    }
    const res = await t.request<Candidate>('POST', '/api/v1/candidates', {
      user: triager,
      body: { title: 'From a thread', description: 'd', source_thread_id: thread.body.id },
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      severity: 'critical',
      category: 'bug',
      source_thread_id: thread.body.id,
    });
    const history = await t.request<{ source_annotations: unknown[] }>(
      'GET',
      `/api/v1/candidates/${res.body.id}/history`,
      { user: member },
    );
    expect(history.body.source_annotations).toHaveLength(3);
  });

  it('walks the whole workflow and refuses every transition the table does not allow', async () => {
    // One candidate parked in each status, reached through allowed transitions only.
    const parked = new Map<CandidateStatus, Candidate>();
    const target = await escalate();
    const path: Record<CandidateStatus, [CandidateStatus, Record<string, unknown>?][]> = {
      open: [],
      in_review: [['in_review']],
      accepted: [['in_review'], ['accepted']],
      rejected: [['in_review'], ['rejected', { notes: 'out of scope' }]],
      deferred: [['in_review'], ['deferred'], ['open'], ['in_review'], ['deferred']],
      duplicate: [['in_review'], ['duplicate', { duplicate_of_id: target.id }]],
      promoted: [['in_review'], ['accepted']],
    };
    for (const status of CANDIDATE_STATUSES) {
      const c = await escalate();
      for (const [to, extra] of path[status]) {
        const res = await move(c.id, to, extra);
        expect({ to, status: res.status }).toEqual({ to, status: 200 });
      }
      parked.set(status, c);
    }
    // Governance promotes the accepted one.
    const promoted = parked.get('promoted')!;
    const requirementId = randomUUID();
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      {
        requirement_id: requirementId,
        candidate_id: promoted.id,
        hub_id: HUB_A,
        promoted_by: randomUUID(),
        promoted_at: new Date().toISOString(),
      },
      { hubId: HUB_A },
    );
    const afterPromotion = await waitFor(
      async () => {
        const res = await t.request<Candidate>('GET', `/api/v1/candidates/${promoted.id}`, {
          user: triager,
        });
        return res.body.status === 'promoted' ? res.body : undefined;
      },
      { message: 'promotion applied' },
    );
    expect(afterPromotion).toMatchObject({
      requirement_id: requirementId,
      allowed_transitions: [],
    });

    for (const [from, candidate] of parked) {
      const current = await t.request<Candidate>('GET', `/api/v1/candidates/${candidate.id}`, {
        user: triager,
      });
      expect({ id: candidate.id, status: current.body.status }).toEqual({
        id: candidate.id,
        status: from,
      });
      const before = (await auditRows(candidate.id)).length;
      for (const to of CANDIDATE_STATUSES) {
        if (allowedTransitions(from).includes(to)) continue;
        const res = await move(
          candidate.id,
          to,
          to === 'duplicate' ? { duplicate_of_id: target.id } : {},
        );
        expect({ from, to, status: res.status, code: res.body.code }).toEqual({
          from,
          to,
          status: 409,
          code: 'FEEDBACK.TRANSITION_NOT_ALLOWED',
        });
        expect(res.body.allowed_transitions).toEqual(allowedTransitions(from));
      }
      expect(await auditRows(candidate.id)).toHaveLength(before);
    }

    const deferred = parked.get('deferred')!;
    expect((await auditRows(deferred.id)).map((r) => r.status)).toEqual([
      'open',
      'in_review',
      'deferred',
      'open',
      'in_review',
      'deferred',
    ]);
    const duplicate = await t.request<Candidate>(
      'GET',
      `/api/v1/candidates/${parked.get('duplicate')!.id}`,
      {
        user: triager,
      },
    );
    expect(duplicate.body.duplicate_of_id).toBe(target.id);

    const changed = await t.waitForEvent(
      'ihf.feedback.candidate.status_changed.v1',
      (e) => e.payload.candidate_id === promoted.id && e.payload.to === 'promoted',
    );
    expect(changed).toMatchObject({
      hub_id: HUB_A,
      payload: { from: 'accepted', requirement_id: requirementId },
    });
  });

  it('applies a redelivered promotion once, and dead-letters a promotion of a candidate not accepted', async () => {
    const c = await escalate();
    await move(c.id, 'in_review');
    await move(c.id, 'accepted');
    const promotion = {
      requirement_id: randomUUID(),
      candidate_id: c.id,
      hub_id: HUB_A,
      promoted_by: null,
      promoted_at: new Date().toISOString(),
    };
    await t.publish('ihf.governance.requirement.promoted.v1', promotion, { hubId: HUB_A });
    await t.publish('ihf.governance.requirement.promoted.v1', promotion, { hubId: HUB_A });
    await waitFor(
      async () =>
        Number(
          (
            await t.sql<{ n: string }>(
              `select count(*) as n from feedback.inbox where consumer = 'feedback__governance'`,
            )
          )[0].n,
        ) >= 3 || undefined,
      { message: 'both promotion events handled' },
    );
    expect((await auditRows(c.id)).map((r) => r.status)).toEqual([
      'open',
      'in_review',
      'accepted',
      'promoted',
    ]);

    const open = await escalate();
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      { ...promotion, requirement_id: randomUUID(), candidate_id: open.id },
      { hubId: HUB_A },
    );
    const reasons = await waitFor(
      async () => {
        const r = await t.deadLetters('feedback__governance');
        return r.length ? r : undefined;
      },
      { message: 'dead letter' },
    );
    expect(reasons[0]).toContain("A candidate in 'open' cannot move to 'promoted'");
    expect((await auditRows(open.id)).map((r) => r.status)).toEqual(['open']);
  });

  it('needs a target to mark a duplicate, never itself or one in another hub', async () => {
    const c = await escalate();
    expect((await move(c.id, 'duplicate')).body.code).toBe('FEEDBACK.DUPLICATE_TARGET_REQUIRED');
    expect((await move(c.id, 'duplicate', { duplicate_of_id: c.id })).body.code).toBe(
      'FEEDBACK.INVALID_DUPLICATE_TARGET',
    );
    const inB = await escalate({}, triagerB, widgetB);
    expect((await move(c.id, 'duplicate', { duplicate_of_id: inB.id })).body.code).toBe(
      'FEEDBACK.INVALID_DUPLICATE_TARGET',
    );
  });

  it('lets one of two concurrent transitions win; the other gets 409 and the audit stays consistent', async () => {
    for (let round = 0; round < 5; round++) {
      const c = await escalate();
      await move(c.id, 'in_review');
      const [a, b] = await Promise.all([
        move(c.id, 'accepted', { notes: 'a' }),
        move(c.id, 'rejected', { notes: 'b' }),
      ]);
      const statuses = [a.status, b.status].sort();
      expect(statuses).toEqual([200, 409]);
      const winner = a.status === 200 ? a.body : b.body;
      const loser = a.status === 200 ? b.body : a.body;
      expect(loser.code).toBe('FEEDBACK.TRANSITION_NOT_ALLOWED');
      expect(loser.allowed_transitions).toEqual(allowedTransitions(winner.status));
      const audit = await auditRows(c.id);
      expect(audit.map((r) => r.status)).toEqual(['open', 'in_review', winner.status]);
      expect(winner.version).toBe(3);
    }
    // The same transition twice at once: exactly one lands.
    const c = await escalate();
    const both = await Promise.all([move(c.id, 'in_review'), move(c.id, 'in_review')]);
    expect(both.map((r) => r.status).sort()).toEqual([200, 409]);
    expect((await auditRows(c.id)).map((r) => r.status)).toEqual(['open', 'in_review']);
  });

  it('refuses a transition based on a stale version', async () => {
    const c = await escalate();
    const stale = await move(c.id, 'in_review', { expected_version: c.version + 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.code).toBe('FEEDBACK.CANDIDATE_VERSION_CONFLICT');
    expect((await move(c.id, 'in_review', { expected_version: c.version })).status).toBe(200);
  });

  it('keeps triage_states and the assignment audit append-only in the database', async () => {
    const c = await escalate();
    await move(c.id, 'in_review');
    const assigned = await t.request('PUT', `/api/v1/candidates/${c.id}/reviewer`, {
      user: triager,
      body: { reviewer_id: reviewer.id },
    });
    expect(assigned.status).toBe(200);
    for (const table of ['triage_states', 'reviewer_assignment_audit']) {
      await expect(
        t.sql(`update feedback.${table} set changed_at = now() where candidate_id = $1`, [c.id]),
      ).rejects.toThrow(/append-only/);
      await expect(
        t.sql(`delete from feedback.${table} where candidate_id = $1`, [c.id]),
      ).rejects.toThrow(/append-only/);
      await expect(t.sql(`truncate feedback.${table} cascade`)).rejects.toThrow(/append-only/);
    }
    const [row] = await t.sql<{ n: string }>(
      'select count(*) as n from feedback.triage_states where candidate_id = $1',
      [c.id],
    );
    expect(row.n).toBe('2');
  });

  it('assigns one reviewer holding the reviewer role in the hub; reassigning replaces it and is audited', async () => {
    const c = await escalate();
    const path = `/api/v1/candidates/${c.id}/reviewer`;
    for (const ineligible of [reviewerOfB.id, triager.id, randomUUID()]) {
      const res = await t.request('PUT', path, {
        user: triager,
        body: { reviewer_id: ineligible },
      });
      expect(res.status).toBe(422);
      expect(res.body.code).toBe('FEEDBACK.REVIEWER_NOT_ELIGIBLE');
    }
    expect(
      (await t.request('PUT', path, { user: reviewer, body: { reviewer_id: reviewer.id } })).status,
    ).toBe(403);
    const first = await t.request('PUT', path, {
      user: triager,
      body: { reviewer_id: reviewer.id },
    });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ reviewer_id: reviewer.id, previous_reviewer_id: null });
    const second = await t.request('PUT', path, {
      user: triager,
      body: { reviewer_id: otherReviewer.id },
    });
    expect(second.body).toMatchObject({
      reviewer_id: otherReviewer.id,
      previous_reviewer_id: reviewer.id,
    });
    const rows = await t.sql(
      'select user_id from feedback.reviewer_assignments where candidate_id = $1',
      [c.id],
    );
    expect(rows).toEqual([{ user_id: otherReviewer.id }]);

    // The assigned reviewer moves it; another reviewer may not.
    expect((await move(c.id, 'in_review', {}, reviewer)).body.code).toBe(
      'FEEDBACK.NOT_ASSIGNED_REVIEWER',
    );
    expect((await move(c.id, 'in_review', {}, otherReviewer)).status).toBe(200);

    const history = await t.request<{
      candidate: Candidate;
      transitions: { status: string; from_status: string | null; changed_by: string }[];
      assignments: { reviewer_id: string; previous_reviewer_id: string | null }[];
      source_annotations: { id: string }[];
    }>('GET', `/api/v1/candidates/${c.id}/history`, { user: member });
    expect(history.status).toBe(200);
    expect(history.body.candidate).toMatchObject({ id: c.id, reviewer_id: otherReviewer.id });
    expect(history.body.transitions.map((s) => [s.from_status, s.status])).toEqual([
      [null, 'open'],
      ['open', 'in_review'],
    ]);
    expect(history.body.assignments).toEqual([
      expect.objectContaining({ reviewer_id: reviewer.id, previous_reviewer_id: null }),
      expect.objectContaining({ reviewer_id: otherReviewer.id, previous_reviewer_id: reviewer.id }),
    ]);
    expect(history.body.source_annotations.map((a) => a.id)).toEqual([c.source_annotation_id]);
    await t.waitForEvent(
      'ihf.feedback.candidate.assigned.v1',
      (e) => e.payload.candidate_id === c.id && e.payload.reviewer_id === otherReviewer.id,
    );
  });

  it('keeps the newest membership of a reviewer when an older event arrives late', async () => {
    const late = user(['reviewer'], [HUB_A]);
    await t.announceUser(late);
    const older = await t.publish(
      'ihf.identity.membership.changed.v1',
      { user_id: late.id, hub_ids: [], roles: ['viewer'] },
      { occurredAt: new Date(Date.now() - 60_000) },
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from feedback.inbox where event_id = $1', [older.event_id])).length >
          0 || undefined,
      { message: 'the older membership event handled' },
    );
    const c = await escalate();
    const res = await t.request('PUT', `/api/v1/candidates/${c.id}/reviewer`, {
      user: triager,
      body: { reviewer_id: late.id },
    });
    expect(res.status).toBe(200);

    // A newer one that takes the role away does apply.
    const demoted = await t.publish(
      'ihf.identity.membership.changed.v1',
      { user_id: late.id, hub_ids: [HUB_A], roles: ['viewer'] },
      { occurredAt: new Date(Date.now() + 1000) },
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from feedback.inbox where event_id = $1', [demoted.event_id]))
          .length > 0 || undefined,
      { message: 'the newer membership event handled' },
    );
    const other = await escalate();
    const refused = await t.request('PUT', `/api/v1/candidates/${other.id}/reviewer`, {
      user: triager,
      body: { reviewer_id: late.id },
    });
    expect(refused.status).toBe(422);
  });

  it('scopes everything by hub: a triager of hub B neither sees nor changes hub A', async () => {
    const c = await escalate();
    for (const [method, url, body] of [
      ['GET', `/api/v1/candidates/${c.id}`, undefined],
      ['GET', `/api/v1/candidates/${c.id}/history`, undefined],
      ['POST', `/api/v1/candidates/${c.id}/transitions`, { to: 'in_review' }],
      ['PUT', `/api/v1/candidates/${c.id}/reviewer`, { reviewer_id: reviewerOfB.id }],
    ] as const) {
      const res = await t.request(method, url, { user: triagerB, body });
      expect({ url, status: res.status, code: res.body.code }).toEqual({
        url,
        status: 404,
        code: 'FEEDBACK.CANDIDATE_NOT_FOUND',
      });
    }
    const named = await t.request('GET', `/api/v1/triage/queue?hub_id=${HUB_A}`, {
      user: triagerB,
    });
    expect(named.status).toBe(403);
    const queue = await t.request<{ items: Candidate[]; counts: Record<string, number> }>(
      'GET',
      '/api/v1/triage/queue?limit=200',
      { user: triagerB },
    );
    expect(queue.body.items.every((i) => i.hub_id === HUB_B)).toBe(true);
    expect(queue.body.items.some((i) => i.id === c.id)).toBe(false);
    const escalateForeign = await t.request('POST', '/api/v1/candidates', {
      user: triagerB,
      body: { title: 'x', description: 'y', source_annotation_id: c.source_annotation_id },
    });
    expect(escalateForeign.status).toBe(422);
    const unchanged = await t.request<Candidate>('GET', `/api/v1/candidates/${c.id}`, {
      user: triager,
    });
    expect(unchanged.body).toMatchObject({ status: 'open', version: 1, reviewer_id: null });
  });

  it('serves the queue filtered, by severity then age, with counts per status and a cursor', async () => {
    const widget = await t.registerWidget(HUB_A, 'Queue widget');
    const own: Candidate[] = [];
    for (const [i, severity] of ['low', 'critical', 'medium', 'critical', 'high'].entries()) {
      const annotationId = await annotate(widget, member);
      const res = await t.request<Candidate>('POST', '/api/v1/candidates', {
        user: triager,
        body: {
          title: `zebra item ${i}`,
          description: i === 2 ? 'mentions pelican' : 'plain',
          severity,
          category: i === 4 ? 'idea' : 'bug',
          source_annotation_id: annotationId,
        },
      });
      own.push(res.body);
    }
    await move(own[0].id, 'in_review');
    await t.request('PUT', `/api/v1/candidates/${own[1].id}/reviewer`, {
      user: triager,
      body: { reviewer_id: reviewer.id },
    });

    const order: string[] = [];
    let cursor: string | null = null;
    let counts: Record<string, number> | undefined;
    do {
      const page: {
        status: number;
        body: { items: Candidate[]; next_cursor: string | null; counts: Record<string, number> };
      } = await t.request(
        'GET',
        `/api/v1/triage/queue?widget_id=${widget}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        {
          user: triager,
        },
      );
      expect(page.status).toBe(200);
      order.push(...page.body.items.map((i) => i.id));
      counts = page.body.counts;
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(order).toEqual([own[1].id, own[3].id, own[4].id, own[2].id, own[0].id]);
    expect(counts).toMatchObject({ open: 4, in_review: 1, accepted: 0 });

    const q = (query: string) =>
      t.request<{ items: Candidate[]; counts: Record<string, number> }>(
        'GET',
        `/api/v1/triage/queue?widget_id=${widget}&${query}`,
        { user: triager },
      );
    expect((await q('status=in_review')).body.items.map((i) => i.id)).toEqual([own[0].id]);
    expect((await q('status=in_review')).body.counts).toMatchObject({ open: 4, in_review: 1 });
    expect((await q('severity=critical,high')).body.items.map((i) => i.id)).toEqual([
      own[1].id,
      own[3].id,
      own[4].id,
    ]);
    expect((await q('category=idea')).body.items.map((i) => i.id)).toEqual([own[4].id]);
    expect((await q(`assignee=${reviewer.id}`)).body.items.map((i) => i.id)).toEqual([own[1].id]);
    expect((await q('assignee=none')).body.items).toHaveLength(4);
    expect((await q('q=pelican')).body.items.map((i) => i.id)).toEqual([own[2].id]);
    const quoted = await q(`q=${encodeURIComponent('it\'s "zebra" -? or')}`);
    expect(quoted.status).toBe(200);
    expect((await q(`hub_id=${HUB_A}&status=open&severity=critical`)).body.items).toHaveLength(2);
    expect((await q('status=bogus')).status).toBe(400);
  });

  it('applies accepted agent proposals: a duplicate flag marks the duplicate, a draft creates a candidate once', async () => {
    const original = await escalate();
    const dup = await escalate();
    const proposalId = randomUUID();
    const acceptedBy = randomUUID();
    await t.publish(
      'ihf.agents.proposal.accepted.v1',
      {
        proposal_id: proposalId,
        kind: 'duplicate_flag',
        hub_id: HUB_A,
        accepted_by: acceptedBy,
        accepted_at: new Date().toISOString(),
        candidate_id: dup.id,
        duplicate_of_id: original.id,
      },
      { hubId: HUB_A, producer: 'agent-proposals' },
    );
    const marked = await waitFor(
      async () => {
        const res = await t.request<Candidate>('GET', `/api/v1/candidates/${dup.id}`, {
          user: triager,
        });
        return res.body.status === 'duplicate' ? res.body : undefined;
      },
      { message: 'duplicate flag applied' },
    );
    expect(marked.duplicate_of_id).toBe(original.id);
    const [last] = (await auditRows(dup.id)).slice(-1);
    expect(last).toMatchObject({ status: 'duplicate', changed_by: acceptedBy });
    expect(last.notes).toContain(proposalId);

    const draftId = randomUUID();
    const annotationId = await annotate();
    const draft = {
      proposal_id: draftId,
      kind: 'requirement_draft' as const,
      hub_id: HUB_A,
      accepted_by: acceptedBy,
      accepted_at: new Date().toISOString(),
      title: 'Drafted by an agent',
      description: 'Summarises several annotations',
      category: 'idea' as const,
      severity: 'high' as const,
      source_widget_id: widgetA,
      source_annotation_id: annotationId,
    };
    await t.publish('ihf.agents.proposal.accepted.v1', draft, { hubId: HUB_A });
    await t.publish('ihf.agents.proposal.accepted.v1', draft, { hubId: HUB_A });
    await waitFor(
      async () =>
        Number(
          (
            await t.sql<{ n: string }>(
              `select count(*) as n from feedback.inbox where consumer = 'feedback__agents'`,
            )
          )[0].n,
        ) >= 3 || undefined,
      { message: 'both draft events handled' },
    );
    const rows = await t.sql<{ id: string; title: string; status: string; created_by: string }>(
      'select id, title, status, created_by, severity from feedback.requirement_candidates where source_proposal_id = $1',
      [draftId],
    );
    expect(rows).toEqual([
      expect.objectContaining({
        title: 'Drafted by an agent',
        status: 'open',
        created_by: acceptedBy,
        severity: 'high',
      }),
    ]);

    // A flag the workflow refuses (the candidate is already a duplicate of another) is dead-lettered.
    await t.publish(
      'ihf.agents.proposal.accepted.v1',
      {
        proposal_id: randomUUID(),
        kind: 'duplicate_flag',
        hub_id: HUB_A,
        accepted_by: acceptedBy,
        accepted_at: new Date().toISOString(),
        candidate_id: dup.id,
        duplicate_of_id: rows[0].id,
      },
      { hubId: HUB_A },
    );
    const reasons = await waitFor(
      async () => {
        const r = await t.deadLetters('feedback__agents');
        return r.length > 0 ? r : undefined;
      },
      { message: 'dead letter' },
    );
    expect(reasons[0]).toContain("cannot move to 'duplicate'");
  });
});
