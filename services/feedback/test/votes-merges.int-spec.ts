import { randomUUID } from 'node:crypto';
import { type CandidateStatus } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { FeedbackTestApp, type TestUser, user } from './feedback-test-app.js';

const HUB_A = randomUUID();
const HUB_B = randomUUID();

interface Candidate {
  id: string;
  status: CandidateStatus;
  version: number;
  duplicate_of_id: string | null;
}
interface Votes {
  candidate_id: string;
  vote_count: number;
  user_votes: number;
  reporter_votes: number;
  voted_by_me: boolean;
}
interface Subscribers {
  subscriber_count: number;
  items: {
    subscriber_kind: string;
    subscriber_id: string;
    origin: string;
    merged_from_candidate_id: string | null;
  }[];
}
interface Merge {
  id: string;
  duplicate_id: string;
  kept_id: string;
  from_status: string;
  merged_by: string | null;
  source_proposal_id: string | null;
  merged_at: string;
  undone_at: string | null;
  undone_by: string | null;
  items: { item: string; participant_kind: string; participant_id: string; collapsed: boolean }[];
}
interface Problem {
  code: string;
  kept_id?: string;
}

describe('feedback: votes, "me too", subscribers and merges', () => {
  let t: FeedbackTestApp;
  let widgetA: string;
  let widgetB: string;
  const member = user(['viewer'], [HUB_A]);
  const otherMember = user(['viewer'], [HUB_A]);
  const triager = user(['triager'], [HUB_A]);
  const triagerB = user(['triager'], [HUB_B]);
  const memberB = user(['viewer'], [HUB_B]);

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    widgetA = await t.registerWidget(HUB_A);
    widgetB = await t.registerWidget(HUB_B);
  });
  afterAll(async () => {
    await t?.close();
  });

  /** An annotation reported by an end user through ingestion (a reporter). */
  async function reported(reporterId: string, widgetId = widgetA, hubId = HUB_A): Promise<string> {
    const id = randomUUID();
    await t.publish(
      'ihf.ingestion.annotation.submitted.v1',
      {
        annotation_id: id,
        hub_id: hubId,
        widget_id: widgetId,
        widget_version: 1,
        parent_id: null,
        body: 'The pay button hides behind the banner',
        category: 'friction',
        severity: 'high',
        actor_id: reporterId,
        actor_type: 'user',
        widget_state_ref: null,
        submitted_at: new Date().toISOString(),
      },
      { hubId, eventId: id },
    );
    await waitFor(
      async () =>
        (await t.sql('select 1 from feedback.annotations where id = $1', [id])).length > 0 ||
        undefined,
      { timeoutMs: 15_000, message: `annotation ${id} stored` },
    );
    return id;
  }

  async function candidateFrom(annotationId: string, by: TestUser = triager): Promise<Candidate> {
    const res = await t.request<Candidate>('POST', '/api/v1/candidates', {
      user: by,
      body: {
        title: 'Pay button hidden',
        description: 'Behind the banner',
        source_annotation_id: annotationId,
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  async function fresh(by: TestUser = triager): Promise<Candidate> {
    const annotation = await t.request<{ id: string }>('POST', '/api/v1/annotations', {
      user: by,
      body: { widget_id: by === triagerB ? widgetB : widgetA, body: 'hidden button' },
    });
    expect(annotation.status).toBe(201);
    return candidateFrom(annotation.body.id, by);
  }

  const vote = (c: string, by: TestUser) =>
    t.request<Votes & Problem>('POST', `/api/v1/candidates/${c}/votes`, { user: by });
  const votes = (c: string, by: TestUser) =>
    t.request<Votes>('GET', `/api/v1/candidates/${c}/votes`, { user: by });
  const subscribers = async (c: string) =>
    (await t.request<Subscribers>('GET', `/api/v1/candidates/${c}/subscribers`, { user: triager }))
      .body;
  const merge = (dup: string, into: string, by: TestUser = triager, extra = {}) =>
    t.request<Merge & Problem>('POST', `/api/v1/candidates/${dup}/merge`, {
      user: by,
      body: { into_id: into, ...extra },
    });
  const undo = (mergeId: string, by: TestUser = triager) =>
    t.request<Merge & Problem>('POST', `/api/v1/merges/${mergeId}/undo`, { user: by });

  async function meToo(candidateId: string, reporterId: string, hubId = HUB_A): Promise<void> {
    const id = randomUUID();
    await t.publish(
      'ihf.ingestion.me_too.submitted.v1',
      {
        me_too_id: id,
        hub_id: hubId,
        candidate_id: candidateId,
        reporter_id: reporterId,
        widget_id: null,
        submitted_at: new Date().toISOString(),
      },
      { hubId, eventId: id },
    );
  }

  async function handled(consumer: string, n: number): Promise<void> {
    await waitFor(
      async () =>
        Number(
          (
            await t.sql<{ n: string }>(
              'select count(*) as n from feedback.inbox where consumer = $1',
              [consumer],
            )
          )[0].n,
        ) >= n || undefined,
      { timeoutMs: 15_000, message: `${n} events handled by ${consumer}` },
    );
  }

  it('counts one vote per user, even for concurrent double votes, and a withdrawal', async () => {
    const c = await fresh();
    const answers = await Promise.all([vote(c.id, member), vote(c.id, member), vote(c.id, member)]);
    expect(answers.map((a) => a.status).sort()).toEqual([201, 409, 409]);
    expect(answers.find((a) => a.status === 409)?.body.code).toBe('FEEDBACK.ALREADY_VOTED');
    const second = await vote(c.id, otherMember);
    expect(second.status).toBe(201);
    expect(second.body).toMatchObject({ vote_count: 2, user_votes: 2, voted_by_me: true });
    expect(
      await t.sql('select 1 from feedback.candidate_votes where candidate_id = $1', [c.id]),
    ).toHaveLength(2);

    const withdrawn = await t.request<Votes>('DELETE', `/api/v1/candidates/${c.id}/votes/mine`, {
      user: otherMember,
    });
    expect(withdrawn.status).toBe(200);
    expect(withdrawn.body).toMatchObject({ vote_count: 1, voted_by_me: false });
    const again = await t.request<Problem>('DELETE', `/api/v1/candidates/${c.id}/votes/mine`, {
      user: otherMember,
    });
    expect(again).toMatchObject({ status: 404, body: { code: 'FEEDBACK.VOTE_NOT_FOUND' } });
    expect((await votes(c.id, member)).body).toMatchObject({ vote_count: 1, voted_by_me: true });

    await t.waitForEvent(
      'ihf.feedback.candidate.voted.v1',
      (e) => e.payload.candidate_id === c.id && e.payload.voter_id === member.id,
    );
    await t.waitForEvent(
      'ihf.feedback.candidate.vote_withdrawn.v1',
      (e) => e.payload.candidate_id === c.id && e.payload.vote_count === 1,
    );
    // A voter follows the candidate.
    expect((await subscribers(c.id)).items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({
          subscriber_kind: 'user',
          subscriber_id: member.id,
          origin: 'vote',
        }),
      ]),
    );
  });

  it('counts "me too" once per reporter, through the real consumer, concurrent repeats included', async () => {
    const c = await fresh();
    const reporter = randomUUID();
    const other = randomUUID();
    await Promise.all([meToo(c.id, reporter), meToo(c.id, reporter), meToo(c.id, other)]);
    await handled('feedback__ingestion_me_too', 3);
    const v = await votes(c.id, member);
    expect(v.body).toMatchObject({ vote_count: 2, reporter_votes: 2, user_votes: 0 });
    const subs = await subscribers(c.id);
    expect(
      subs.items
        .filter((s) => s.subscriber_kind === 'reporter')
        .map((s) => s.subscriber_id)
        .sort(),
    ).toEqual([reporter, other].sort());

    // A candidate of another hub (or none) is dead-lettered, never counted.
    const cB = await fresh(triagerB);
    await meToo(cB.id, randomUUID(), HUB_A);
    await waitFor(
      async () =>
        (await t.deadLetters('feedback__ingestion_me_too')).some((r) => r.includes(cB.id)) ||
        undefined,
      { timeoutMs: 20_000, message: 'me too of another hub dead-lettered' },
    );
    expect((await votes(cB.id, triagerB)).body.vote_count).toBe(0);
  });

  it('subscribes the reporters of the source annotations; members subscribe and unsubscribe', async () => {
    const reporter = randomUUID();
    const c = await candidateFrom(await reported(reporter));
    expect((await subscribers(c.id)).items).toEqual([
      expect.objectContaining({
        subscriber_kind: 'reporter',
        subscriber_id: reporter,
        origin: 'source_annotation',
      }),
    ]);
    await t.waitForEvent(
      'ihf.feedback.candidate.subscribed.v1',
      (e) => e.payload.candidate_id === c.id && e.payload.subscriber_id === reporter,
    );

    const path = `/api/v1/candidates/${c.id}/subscribers/me`;
    const on = await t.request('PUT', path, { user: member });
    expect(on).toMatchObject({ status: 200, body: { subscribed: true, subscriber_count: 2 } });
    expect((await t.request('PUT', path, { user: member })).body).toMatchObject({
      subscriber_count: 2,
    });
    const off = await t.request('DELETE', path, { user: member });
    expect(off).toMatchObject({ status: 200, body: { subscribed: false, subscriber_count: 1 } });
    await t.waitForEvent(
      'ihf.feedback.candidate.unsubscribed.v1',
      (e) => e.payload.candidate_id === c.id && e.payload.subscriber_id === member.id,
    );
    // Only triagers list who follows (the list names end users).
    expect(
      (await t.request('GET', `/api/v1/candidates/${c.id}/subscribers`, { user: member })).status,
    ).toBe(403);
  });

  it('merges a duplicate with provenance and undoes it: the moved items go back', async () => {
    const reporterKept = randomUUID();
    const reporterDup = randomUUID();
    const kept = await candidateFrom(await reported(reporterKept));
    const dup = await candidateFrom(await reported(reporterDup));
    // member votes on both (counted once after the merge), otherMember on the duplicate only.
    for (const [c, u] of [
      [kept.id, member],
      [dup.id, member],
      [dup.id, otherMember],
    ] as const) {
      expect((await vote(c, u)).status).toBe(201);
    }
    const shared = randomUUID();
    await meToo(dup.id, shared);
    await meToo(kept.id, shared);
    await handled('feedback__ingestion_me_too', 5);
    expect((await votes(kept.id, member)).body.vote_count).toBe(2);
    expect((await votes(dup.id, member)).body.vote_count).toBe(3);

    const merged = await merge(dup.id, kept.id, triager, { notes: 'same hidden button' });
    expect(merged.status).toBe(201);
    expect(merged.body).toMatchObject({
      duplicate_id: dup.id,
      kept_id: kept.id,
      from_status: 'open',
      merged_by: triager.id,
      undone_at: null,
    });
    const byPerson = Object.fromEntries(
      merged.body.items.map((i) => [`${i.item}:${i.participant_id}`, i.collapsed]),
    );
    expect(byPerson).toMatchObject({
      [`vote:${member.id}`]: true,
      [`vote:${otherMember.id}`]: false,
      [`vote:${shared}`]: true,
      [`subscription:${reporterDup}`]: false,
    });
    // Kept: its own 2 votes + otherMember's; the duplicate is empty but readable.
    expect((await votes(kept.id, member)).body).toMatchObject({ vote_count: 3, user_votes: 2 });
    expect((await votes(dup.id, member)).body.vote_count).toBe(0);
    const dupNow = await t.request<Candidate>('GET', `/api/v1/candidates/${dup.id}`, {
      user: member,
    });
    expect(dupNow.body).toMatchObject({ status: 'duplicate', duplicate_of_id: kept.id });
    const keptSubs = await subscribers(kept.id);
    expect(keptSubs.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriber_id: reporterDup, merged_from_candidate_id: dup.id }),
        expect.objectContaining({ subscriber_id: reporterKept, merged_from_candidate_id: null }),
      ]),
    );
    const history = await t.request<{
      merged_source_annotations: { merge_id: string; from_candidate_id: string }[];
    }>('GET', `/api/v1/candidates/${kept.id}/history`, { user: member });
    expect(history.body.merged_source_annotations).toEqual([
      expect.objectContaining({ merge_id: merged.body.id, from_candidate_id: dup.id }),
    ]);
    // Voting on or following the duplicate is refused with the kept candidate's id.
    const late = await vote(dup.id, user(['viewer'], [HUB_A]));
    expect(late).toMatchObject({
      status: 409,
      body: { code: 'FEEDBACK.CANDIDATE_MERGED', kept_id: kept.id },
    });
    // A "me too" about the duplicate counts for the kept candidate.
    const lateReporter = randomUUID();
    await meToo(dup.id, lateReporter);
    await handled('feedback__ingestion_me_too', 6);
    expect((await votes(kept.id, member)).body.reporter_votes).toBe(2);
    const event = await t.waitForEvent(
      'ihf.feedback.candidate.merged.v1',
      (e) => e.payload.merge_id === merged.body.id,
    );
    expect(event.payload).toMatchObject({ votes_moved: 1, kept_vote_count: 3 });
    // Subscription events keep a follower list elsewhere (notifications) exact.
    await t.waitForEvent(
      'ihf.feedback.candidate.unsubscribed.v1',
      (e) => e.payload.candidate_id === dup.id && e.payload.subscriber_id === reporterDup,
    );
    await t.waitForEvent(
      'ihf.feedback.candidate.subscribed.v1',
      (e) =>
        e.payload.candidate_id === kept.id &&
        e.payload.subscriber_id === reporterDup &&
        e.payload.origin === 'source_annotation',
    );

    const undone = await undo(merged.body.id);
    expect(undone.status).toBe(200);
    expect(undone.body).toMatchObject({ undone_by: triager.id });
    expect(undone.body.undone_at).not.toBeNull();
    // Back: the duplicate's 3 votes and its reporter; the kept one keeps its own and the late one.
    expect((await votes(dup.id, member)).body).toMatchObject({ vote_count: 3, voted_by_me: true });
    expect((await votes(kept.id, member)).body).toMatchObject({ vote_count: 3, reporter_votes: 2 });
    const dupAfter = await t.request<Candidate>('GET', `/api/v1/candidates/${dup.id}`, {
      user: member,
    });
    expect(dupAfter.body).toMatchObject({ status: 'open', duplicate_of_id: null });
    expect((await subscribers(dup.id)).items.map((s) => s.subscriber_id)).toContain(reporterDup);
    expect((await subscribers(kept.id)).items.map((s) => s.subscriber_id)).not.toContain(
      reporterDup,
    );
    const historyAfter = await t.request<{ merged_source_annotations: unknown[] }>(
      'GET',
      `/api/v1/candidates/${kept.id}/history`,
      { user: member },
    );
    expect(historyAfter.body.merged_source_annotations).toEqual([]);
    const audit = await t.sql<{ status: string; from_status: string }>(
      'select status, from_status from feedback.triage_states where candidate_id = $1 order by changed_at, id',
      [dup.id],
    );
    expect(audit.map((a) => `${a.from_status}->${a.status}`)).toEqual([
      'null->open',
      'open->duplicate',
      'duplicate->open',
    ]);
    await t.waitForEvent(
      'ihf.feedback.candidate.merge_undone.v1',
      (e) => e.payload.merge_id === merged.body.id && e.payload.votes_returned === 3,
    );
    await t.waitForEvent(
      'ihf.feedback.candidate.unsubscribed.v1',
      (e) => e.payload.candidate_id === kept.id && e.payload.subscriber_id === reporterDup,
    );
    const resubscribed = await t.feedbackEvents(
      'ihf.feedback.candidate.subscribed.v1',
      (e) => e.payload.candidate_id === dup.id && e.payload.subscriber_id === reporterDup,
    );
    // Once at creation, once with the undo.
    await waitFor(
      async () =>
        (
          await t.feedbackEvents(
            'ihf.feedback.candidate.subscribed.v1',
            (e) => e.payload.candidate_id === dup.id && e.payload.subscriber_id === reporterDup,
          )
        ).length === 2 || undefined,
      { message: `resubscribed on undo (${resubscribed.length} so far)` },
    );

    // A second undo is refused; the provenance of both stays listed.
    const twice = await undo(merged.body.id);
    expect(twice).toMatchObject({ status: 409, body: { code: 'FEEDBACK.MERGE_ALREADY_UNDONE' } });
    const listed = await t.request<{ merges: Merge[] }>(
      'GET',
      `/api/v1/candidates/${dup.id}/merges`,
      {
        user: member,
      },
    );
    expect(listed.body.merges).toEqual([
      expect.objectContaining({ id: merged.body.id, undone_by: triager.id }),
    ]);
  });

  it('merges along chains: the kept candidate shows all sources; undoing the outer merge restores the inner one', async () => {
    const reporterC = randomUUID();
    const a = await fresh();
    const b = await fresh();
    const c = await candidateFrom(await reported(reporterC));
    expect((await vote(c.id, otherMember)).status).toBe(201);
    // C into B through the triage transition (a merge too), then B into A.
    const moved = await t.request('POST', `/api/v1/candidates/${c.id}/transitions`, {
      user: triager,
      body: { to: 'duplicate', duplicate_of_id: b.id },
    });
    expect(moved.status).toBe(200);
    const [inner] = (
      await t.request<{ merges: Merge[] }>('GET', `/api/v1/candidates/${c.id}/merges`, {
        user: member,
      })
    ).body.merges;
    expect(inner).toMatchObject({ duplicate_id: c.id, kept_id: b.id, merged_by: triager.id });
    const outer = await merge(b.id, a.id);
    expect(outer.status).toBe(201);
    expect((await votes(a.id, otherMember)).body).toMatchObject({
      vote_count: 1,
      voted_by_me: true,
    });
    const history = await t.request<{
      merged_source_annotations: { merge_id: string; from_candidate_id: string }[];
    }>('GET', `/api/v1/candidates/${a.id}/history`, { user: member });
    expect(history.body.merged_source_annotations.map((m) => m.from_candidate_id).sort()).toEqual(
      [b.id, c.id].sort(),
    );
    expect((await subscribers(a.id)).items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriber_id: reporterC, merged_from_candidate_id: b.id }),
      ]),
    );

    expect((await undo(outer.body.id)).status).toBe(200);
    // Back on B, with the provenance of the inner merge again.
    expect((await votes(b.id, otherMember)).body).toMatchObject({
      vote_count: 1,
      voted_by_me: true,
    });
    expect((await subscribers(b.id)).items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ subscriber_id: reporterC, merged_from_candidate_id: c.id }),
      ]),
    );
    // The inner merge's kept candidate changed since (merged, then restored): refused.
    expect(await undo(inner.id)).toMatchObject({
      status: 409,
      body: { code: 'FEEDBACK.MERGE_UNDO_STALE' },
    });
  });

  it('leaves no vote behind on a duplicate when votes race a merge', async () => {
    const kept = await fresh();
    const dup = await fresh();
    const voters = Array.from({ length: 6 }, () => user(['viewer'], [HUB_A]));
    const [merged, ...answers] = await Promise.all([
      merge(dup.id, kept.id),
      ...voters.map((v) => vote(dup.id, v)),
    ]);
    expect(merged.status).toBe(201);
    for (const a of answers) {
      expect([201, 409]).toContain(a.status);
      if (a.status === 409) expect(a.body.code).toBe('FEEDBACK.CANDIDATE_MERGED');
    }
    const accepted = answers.filter((a) => a.status === 201).length;
    // Votes that committed before the merge moved with it; later ones were refused.
    expect((await votes(dup.id, member)).body.vote_count).toBe(0);
    expect((await votes(kept.id, member)).body.vote_count).toBe(accepted);
  });

  it('refuses an undo after a later change to either candidate', async () => {
    const kept = await fresh();
    const dup = await fresh();
    const m = await merge(dup.id, kept.id);
    expect(m.status).toBe(201);
    const moved = await t.request('POST', `/api/v1/candidates/${kept.id}/transitions`, {
      user: triager,
      body: { to: 'in_review' },
    });
    expect(moved.status).toBe(200);
    const stale = await undo(m.body.id);
    expect(stale).toMatchObject({ status: 409, body: { code: 'FEEDBACK.MERGE_UNDO_STALE' } });
    expect(
      (await t.request<Candidate>('GET', `/api/v1/candidates/${dup.id}`, { user: member })).body
        .status,
    ).toBe('duplicate');
  });

  it('merges by an accepted agent duplicate flag through the real consumer, and it can be undone', async () => {
    const kept = await fresh();
    const dup = await fresh();
    expect((await vote(dup.id, member)).status).toBe(201);
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
        duplicate_of_id: kept.id,
      },
      { hubId: HUB_A, producer: 'agent-proposals' },
    );
    const listed = await waitFor(
      async () => {
        const res = await t.request<{ merges: Merge[] }>(
          'GET',
          `/api/v1/candidates/${kept.id}/merges`,
          { user: member },
        );
        return res.body.merges.length > 0 ? res.body.merges : undefined;
      },
      { timeoutMs: 15_000, message: 'flag merged' },
    );
    expect(listed[0]).toMatchObject({
      duplicate_id: dup.id,
      merged_by: acceptedBy,
      source_proposal_id: proposalId,
    });
    expect((await votes(kept.id, member)).body).toMatchObject({ vote_count: 1, voted_by_me: true });
    expect((await undo(listed[0].id)).status).toBe(200);
    expect((await votes(dup.id, member)).body.vote_count).toBe(1);
  });

  it('keeps other hubs out (404) and merges to triagers (403)', async () => {
    const c = await fresh();
    const other = await fresh();
    expect((await vote(c.id, memberB)).status).toBe(404);
    expect((await votes(c.id, memberB)).status).toBe(404);
    expect(
      (await t.request('PUT', `/api/v1/candidates/${c.id}/subscribers/me`, { user: memberB }))
        .status,
    ).toBe(404);
    expect((await merge(c.id, other.id, member)).status).toBe(403);
    expect((await merge(c.id, other.id, triagerB)).status).toBe(404);
    const cB = await fresh(triagerB);
    const across = await merge(c.id, cB.id);
    expect(across).toMatchObject({
      status: 422,
      body: { code: 'FEEDBACK.INVALID_DUPLICATE_TARGET' },
    });
    const m = await merge(c.id, other.id);
    expect(m.status).toBe(201);
    expect((await undo(m.body.id, triagerB)).status).toBe(404);
    expect((await undo(m.body.id, member)).status).toBe(403);
    expect((await undo(randomUUID())).status).toBe(404);
  });
});
