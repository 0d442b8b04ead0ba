import { randomUUID } from 'node:crypto';
import { waitFor } from '@ihf/testing';
import { NotificationsTestApp, rawHeader, user } from './notifications-test-app.js';

// Events of feedback and governance become inbox items and e-mails for the people who gave the
// feedback and the hub's deciders: real Postgres, NATS and an SMTP server in this process.

const HUB = randomUUID();

interface InboxPage {
  items: { id: string; title: string; body: string; event_type: string; read_at: string | null }[];
  next_cursor: string | null;
}

describe('notifications: inbox and e-mail from the events', () => {
  let t: NotificationsTestApp;

  beforeAll(async () => {
    t = await NotificationsTestApp.start({
      EMAIL_RATE_LIMIT_PER_HOUR: '2',
      EMAIL_DIGEST_INTERVAL_MS: '1500',
    });
  });
  afterAll(async () => {
    await t?.close();
  });

  const unread = async (u: ReturnType<typeof user>) =>
    (await t.request<{ unread: number }>('GET', '/api/v1/inbox/unread-count', { user: u })).body
      .unread;

  it('tells the reporter of a status change in the inbox and by e-mail with the RFC 8058 headers, once per event', async () => {
    const reporter = user(['viewer'], [HUB]);
    const stranger = user(['viewer'], [HUB]);
    await t.announceUser(reporter);
    await t.announceUser(stranger);
    const candidateId = await t.candidate(HUB, reporter, 'Checkout button is hidden');

    const event = await t.statusChanged(HUB, candidateId, 'accepted', 2);
    // The same event again, as a late redelivery (another Nats-Msg-Id): nothing new.
    await t.statusChanged(HUB, candidateId, 'accepted', 2, {
      eventId: event.event_id,
      msgId: randomUUID(),
    });

    const mails = await waitFor(
      () => (t.smtp.to(reporter.email!).length ? t.smtp.to(reporter.email!) : undefined),
      { timeoutMs: 15_000, message: 'the mail' },
    );
    const page = await t.request<InboxPage>('GET', '/api/v1/inbox', { user: reporter });
    expect(page.status).toBe(200);
    expect(page.body.items).toHaveLength(1);
    expect(page.body.items[0]).toMatchObject({
      title: '“Checkout button is hidden” is now accepted',
      event_type: 'ihf.feedback.candidate.status_changed.v1',
      read_at: null,
    });
    expect(await unread(reporter)).toBe(1);
    expect(await unread(stranger)).toBe(0);

    // Let the workers run a few more polls: still one mail.
    await new Promise((r) => setTimeout(r, 800));
    expect(t.smtp.to(reporter.email!)).toHaveLength(1);
    const [mail] = mails;
    expect(mail.subject).toBe('“Checkout button is hidden” is now accepted');
    expect(mail.text).toContain('moved from open to accepted');
    const listUnsubscribe = rawHeader(mail, 'List-Unsubscribe') ?? '';
    const post = rawHeader(mail, 'List-Unsubscribe-Post');
    expect(post).toBe('List-Unsubscribe=One-Click');
    const url = /<(http:\/\/notify\.ihf\.test\/api\/v1\/email\/unsubscribe\?token=[^>]+)>/.exec(
      listUnsubscribe,
    )?.[1];
    expect(url).toBeDefined();
    expect(
      await t.sql('select status from notifications.email_deliveries where user_id = $1', [
        reporter.id,
      ]),
    ).toEqual([{ status: 'sent' }]);

    // Mark read: the count drops; another user cannot touch the item.
    const itemId = page.body.items[0].id;
    expect(
      (await t.request('POST', `/api/v1/inbox/${itemId}/read`, { user: stranger })).status,
    ).toBe(404);
    expect(
      (await t.request('POST', `/api/v1/inbox/${itemId}/read`, { user: reporter })).status,
    ).toBe(204);
    expect(await unread(reporter)).toBe(0);

    // Opening the link shows a page and changes nothing (link scanners prefetch links).
    const path = url!.replace('http://notify.ihf.test', '');
    const unsubscribePage = await t.request<string>('GET', path);
    expect(unsubscribePage.status).toBe(200);
    expect(unsubscribePage.body).toContain('<form method="post"');
    expect((await t.request('GET', '/api/v1/email/preferences', { user: reporter })).body).toEqual({
      mode: 'immediate',
    });
    // The one-click unsubscribe as a mail client sends it (RFC 8058): e-mail goes off.
    const res = await t.request('POST', path, {
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(res).toMatchObject({ status: 200, body: { mode: 'off' } });
    expect((await t.request('GET', '/api/v1/email/preferences', { user: reporter })).body).toEqual({
      mode: 'off',
    });
    // A forged token is refused.
    const forged = await t.request(
      'POST',
      `/api/v1/email/unsubscribe?token=${reporter.id}.${'A'.repeat(43)}`,
    );
    expect(forged).toMatchObject({
      status: 400,
      body: { code: 'NOTIFICATIONS.UNSUBSCRIBE_TOKEN_INVALID' },
    });

    // The next notice reaches the inbox only.
    await t.statusChanged(HUB, candidateId, 'in_review', 3);
    await t.rows(
      `select 1 from notifications.email_deliveries where user_id = $1 and status = 'suppressed' and reason = 'preference_off'`,
      [reporter.id],
    );
    expect(await unread(reporter)).toBe(1);
    expect(t.smtp.to(reporter.email!)).toHaveLength(1);
  });

  it('pages the inbox newest first with a cursor, and marks all read', async () => {
    const reporter = user(['viewer'], [HUB]);
    await t.announceUser(reporter);
    await t.request('PUT', '/api/v1/email/preferences', { user: reporter, body: { mode: 'off' } });
    const candidateId = await t.candidate(HUB, reporter, 'Paging');
    for (const [i, to] of (['in_review', 'accepted', 'rejected'] as const).entries()) {
      await t.statusChanged(HUB, candidateId, to, i + 2);
    }
    await t.rows('select 1 from notifications.inbox_items where user_id = $1', [reporter.id], 3);
    const first = await t.request<InboxPage>('GET', '/api/v1/inbox?limit=2', { user: reporter });
    expect(first.body.items).toHaveLength(2);
    expect(first.body.next_cursor).not.toBeNull();
    const second = await t.request<InboxPage>(
      'GET',
      `/api/v1/inbox?limit=2&cursor=${first.body.next_cursor}`,
      { user: reporter },
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    const ids = [...first.body.items, ...second.body.items].map((i) => i.id);
    expect(new Set(ids).size).toBe(3);
    expect(
      (await t.request('GET', '/api/v1/inbox?cursor=not-ours', { user: reporter })).body,
    ).toMatchObject({ code: 'REQUEST.INVALID_CURSOR' });
    expect((await t.request('POST', '/api/v1/inbox/read-all', { user: reporter })).body).toEqual({
      marked: 3,
    });
    expect(await unread(reporter)).toBe(0);
    const unreadOnly = await t.request<InboxPage>('GET', '/api/v1/inbox?unread=true', {
      user: reporter,
    });
    expect(unreadOnly.body.items).toEqual([]);
  });

  it('sends at most the hourly limit at once and the rest in the digest; a digest user gets one mail', async () => {
    const busy = user(['viewer'], [HUB]);
    const digester = user(['viewer'], [HUB]);
    await t.announceUser(busy);
    await t.announceUser(digester);
    expect(
      (
        await t.request('PUT', '/api/v1/email/preferences', {
          user: digester,
          body: { mode: 'daily_digest' },
        })
      ).body,
    ).toEqual({ mode: 'daily_digest' });
    const busyCandidate = await t.candidate(HUB, busy, 'Busy');
    const digestCandidate = await t.candidate(HUB, digester, 'Digest me');
    for (const [i, to] of (['in_review', 'accepted', 'rejected'] as const).entries()) {
      await t.statusChanged(HUB, busyCandidate, to, i + 2);
      await t.statusChanged(HUB, digestCandidate, to, i + 2);
    }
    // Busy: two at once (the limit), the third in a digest.
    const busyMails = await waitFor(
      () => (t.smtp.to(busy.email!).length >= 3 ? t.smtp.to(busy.email!) : undefined),
      { timeoutMs: 20_000, message: 'three mails to the busy user' },
    );
    expect(busyMails.filter((m) => m.subject?.startsWith('Your IHF digest'))).toHaveLength(1);
    expect(
      await t.sql(
        `select status, reason from notifications.email_deliveries where user_id = $1 order by status`,
        [busy.id],
      ),
    ).toEqual([
      { status: 'digested', reason: 'rate_limited' },
      { status: 'sent', reason: null },
      { status: 'sent', reason: null },
    ]);
    // Digest: one mail listing the three.
    const [digest] = await waitFor(
      () => (t.smtp.to(digester.email!).length ? t.smtp.to(digester.email!) : undefined),
      { timeoutMs: 20_000, message: 'the digest' },
    );
    expect(digest.subject).toBe('Your IHF digest: 3 updates');
    for (const word of ['in review', 'accepted', 'rejected']) expect(digest.text).toContain(word);
    expect(rawHeader(digest, 'List-Unsubscribe-Post')).toBe('List-Unsubscribe=One-Click');
    await new Promise((r) => setTimeout(r, 2_000));
    expect(t.smtp.to(digester.email!)).toHaveLength(1);
  });

  it('tells followers and the hub governors of a promotion and a decision, not the one who acted', async () => {
    const reporter = user(['viewer'], [HUB]);
    const governor = user(['governor'], [HUB]);
    const otherHubGovernor = user(['governor'], [randomUUID()]);
    const noAddress = user(['governor'], [HUB]);
    for (const u of [reporter, governor, otherHubGovernor]) await t.announceUser(u);
    await t.announceUser(noAddress, false);
    const candidateId = await t.candidate(HUB, reporter, 'Promote me');
    // A subscriber, as feedback's candidate.subscribed (issue 16a) will record it.
    const subscriber = user(['viewer'], [HUB]);
    await t.announceUser(subscriber);
    await t.sql(
      'insert into notifications.candidate_subscribers (candidate_id, user_id) values ($1, $2)',
      [candidateId, subscriber.id],
    );
    const requirementId = randomUUID();
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      {
        requirement_id: requirementId,
        candidate_id: candidateId,
        hub_id: HUB,
        promoted_by: governor.id,
        promoted_at: new Date().toISOString(),
      },
      { hubId: HUB, aggregateId: requirementId, aggregateVersion: 1 },
    );
    await t.publish(
      'ihf.governance.decision.recorded.v1',
      {
        decision_id: randomUUID(),
        title: 'Ship the visible button',
        outcome: 'approved',
        requirement_id: requirementId,
        candidate_id: null,
        supersedes_id: null,
        decided_by: null,
        decided_at: new Date().toISOString(),
      },
      { hubId: HUB },
    );
    const titles = async (u: ReturnType<typeof user>) =>
      (
        await t.sql<{ title: string }>(
          'select title from notifications.inbox_items where user_id = $1 order by title',
          [u.id],
        )
      ).map((r) => r.title);
    await t.rows('select 1 from notifications.inbox_items where user_id = $1', [reporter.id], 2);
    await t.rows('select 1 from notifications.inbox_items where user_id = $1', [noAddress.id], 2);
    expect(await titles(reporter)).toEqual([
      'Decision: Ship the visible button (approved)',
      '“Promote me” became a requirement',
    ]);
    await t.rows('select 1 from notifications.inbox_items where user_id = $1', [subscriber.id], 2);
    expect(await titles(subscriber)).toEqual(await titles(reporter));
    // The governor promoted it: told of the decision only.
    expect(await titles(governor)).toEqual(['Decision: Ship the visible button (approved)']);
    expect(await titles(otherHubGovernor)).toEqual([]);
    expect(
      await t.sql('select status, reason from notifications.email_deliveries where user_id = $1', [
        noAddress.id,
      ]),
    ).toEqual([
      { status: 'suppressed', reason: 'no_address' },
      { status: 'suppressed', reason: 'no_address' },
    ]);
  });

  it('tells the followers that the change shipped and, when the outcome is final, what it did; a subscription event adds a follower; a merge tells both lists', async () => {
    const reporter = user(['viewer'], [HUB]);
    const follower = user(['viewer'], [HUB]);
    const governor = user(['governor'], [HUB]);
    for (const u of [reporter, follower, governor]) await t.announceUser(u);
    const candidateId = await t.candidate(HUB, reporter, 'Make checkout faster');
    // feedback's candidate.subscribed (issue 16a): a person follows; a reporter id is no one here.
    for (const [kind, id] of [
      ['user', follower.id],
      ['reporter', randomUUID()],
    ] as const) {
      await t.publish(
        'ihf.feedback.candidate.subscribed.v1',
        {
          candidate_id: candidateId,
          subscriber_kind: kind,
          subscriber_id: id,
          origin: kind === 'user' ? 'member' : 'vote',
          subscribed_at: new Date().toISOString(),
        },
        { hubId: HUB },
      );
    }
    await t.rows(
      'select 1 from notifications.candidate_subscribers where candidate_id = $1 and user_id = $2',
      [candidateId, follower.id],
      1,
    );
    const requirementId = randomUUID();
    await t.publish(
      'ihf.governance.requirement.promoted.v1',
      {
        requirement_id: requirementId,
        candidate_id: candidateId,
        hub_id: HUB,
        promoted_by: governor.id,
        promoted_at: new Date().toISOString(),
      },
      { hubId: HUB, aggregateId: requirementId, aggregateVersion: 1 },
    );
    await t.rows('select 1 from notifications.inbox_items where user_id = $1', [follower.id], 1);
    const deploymentId = randomUUID();
    const widgetId = randomUUID();
    await t.publish(
      'ihf.deployment.deployment.recorded.v1',
      {
        deployment_id: deploymentId,
        decision_id: randomUUID(),
        requirement_id: requirementId,
        version_ref: 'v2.4.0',
        environment: 'production',
        recorded_by_kind: 'pipeline',
        deployed_by: null,
        deployed_at: '2026-12-01T10:00:00.000Z',
        widget_ids: [widgetId],
        final_at: '2026-12-08T10:00:00.000Z',
      },
      { hubId: HUB, aggregateId: deploymentId, aggregateVersion: 1 },
    );
    for (const phase of ['provisional', 'final'] as const) {
      await t.publish(
        'ihf.deployment.outcome.measured.v1',
        {
          deployment_id: deploymentId,
          measurement_id: randomUUID(),
          phase,
          widget_ids: [widgetId],
          signals: 6,
          not_enough_data: 1,
          after_window_end: '2026-12-08T10:00:00.000Z',
          measured_at: new Date().toISOString(),
        },
        { hubId: HUB },
      );
    }
    const titles = async (u: ReturnType<typeof user>) =>
      (
        await t.sql<{ title: string }>(
          'select title from notifications.inbox_items where user_id = $1',
          [u.id],
        )
      )
        .map((r) => r.title)
        .sort();
    for (const u of [reporter, follower]) {
      await t.rows('select 1 from notifications.inbox_items where user_id = $1', [u.id], 3);
      expect(await titles(u)).toEqual([
        'Here is what the change did: “Make checkout faster”',
        'The change you asked for shipped: “Make checkout faster”',
        '“Make checkout faster” became a requirement',
      ]);
    }
    // The deciders hear of the promotion (the governor acted), not of the shipping: it is the
    // followers' news.
    expect(await titles(governor)).toEqual([]);

    // A duplicate merged into this candidate: its follower and this one's hear of it once each.
    const duplicateFollower = user(['viewer'], [HUB]);
    await t.announceUser(duplicateFollower);
    const duplicateId = await t.candidate(HUB, duplicateFollower, 'Checkout is slow');
    await t.publish(
      'ihf.feedback.candidate.merged.v1',
      {
        merge_id: randomUUID(),
        duplicate_id: duplicateId,
        kept_id: candidateId,
        from_status: 'open',
        merged_by: governor.id,
        source_proposal_id: null,
        notes: null,
        votes_moved: 0,
        subscribers_moved: 1,
        kept_vote_count: 3,
        kept_subscriber_count: 3,
        merged_at: new Date().toISOString(),
      },
      { hubId: HUB },
    );
    const merged = '“Checkout is slow” was merged into “Make checkout faster”';
    for (const u of [duplicateFollower, follower]) {
      await t.rows(
        'select 1 from notifications.inbox_items where user_id = $1 and title = $2',
        [u.id, merged],
        1,
      );
    }
    expect(await titles(governor)).toEqual([]);
  });

  it('refuses preferences outside the value set and needs a token', async () => {
    const u = user(['viewer'], [HUB]);
    const res = await t.request('PUT', '/api/v1/email/preferences', {
      user: u,
      body: { mode: 'hourly' },
    });
    expect(res).toMatchObject({ status: 400, body: { code: 'REQUEST.VALIDATION_FAILED' } });
    expect((await t.request('GET', '/api/v1/inbox')).status).toBe(401);
    // Form bodies are taken by the one-click unsubscribe only.
    const form = await t.request('PUT', '/api/v1/email/preferences', {
      user: u,
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'mode=off',
    });
    expect(form).toMatchObject({ status: 415, body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' } });
  });
});
