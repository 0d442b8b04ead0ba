import { randomUUID } from 'node:crypto';
import { type EventEnvelope, type RoleName } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { FeedbackTestApp, type TestUser, user } from './feedback-test-app.js';

const HUB_A = randomUUID();

interface Candidate {
  id: string;
  status: string;
  duplicate_of_id: string | null;
}

/**
 * The principal read model ordered by identity's aggregate_version (issue 22 item 9, issue 11:
 * deactivated reviewers), and "X duplicates Y" against "Y duplicates X" at once (22 item 6).
 */
describe('feedback: principals by version, deactivated reviewers, duplicate write skew', () => {
  let t: FeedbackTestApp;
  let widget: string;
  const member = user(['viewer'], [HUB_A]);
  const triager = user(['triager'], [HUB_A]);

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    widget = await t.registerWidget(HUB_A);
  });
  afterAll(async () => {
    await t?.close();
  });

  async function handled(e: EventEnvelope): Promise<void> {
    await waitFor(
      async () =>
        (await t.sql('select 1 from feedback.inbox where event_id = $1', [e.event_id])).length >
          0 || undefined,
      { message: `${e.type} v${e.aggregate_version ?? '-'} handled` },
    );
  }

  async function membership(
    u: TestUser,
    version: number,
    roles: RoleName[],
    hubIds: string[],
    occurredAt = new Date(),
  ): Promise<void> {
    await handled(
      await t.publish(
        'ihf.identity.membership.changed.v1',
        { user_id: u.id, roles, hub_ids: hubIds },
        { aggregateId: u.id, aggregateVersion: version, occurredAt },
      ),
    );
  }

  async function status(u: TestUser, version: number, deactivated: boolean): Promise<void> {
    const at = new Date().toISOString();
    await handled(
      deactivated
        ? await t.publish(
            'ihf.identity.user.deactivated.v1',
            { user_id: u.id, deactivated_at: at },
            { aggregateId: u.id, aggregateVersion: version },
          )
        : await t.publish(
            'ihf.identity.user.reactivated.v1',
            { user_id: u.id, reactivated_at: at },
            { aggregateId: u.id, aggregateVersion: version },
          ),
    );
  }

  async function principal(u: TestUser) {
    const [row] = await t.sql<{ roles: string[]; hub_ids: string[]; deactivated: boolean }>(
      `select roles, hub_ids::text[] as hub_ids, deactivated_at is not null as deactivated
       from feedback.principals where user_id = $1`,
      [u.id],
    );
    return row;
  }

  async function candidate(): Promise<Candidate> {
    const annotation = await t.request<{ id: string }>('POST', '/api/v1/annotations', {
      user: member,
      body: { widget_id: widget, body: 'the checkout button is hidden' },
    });
    expect(annotation.status).toBe(201);
    const res = await t.request<Candidate>('POST', '/api/v1/candidates', {
      user: triager,
      body: {
        title: 'Make the checkout button visible',
        description: 'Users cannot find it',
        source_annotation_id: annotation.body.id,
      },
    });
    expect(res.status).toBe(201);
    return res.body;
  }

  const assign = async (candidateId: string, reviewer: TestUser) =>
    t.request('PUT', `/api/v1/candidates/${candidateId}/reviewer`, {
      user: triager,
      body: { reviewer_id: reviewer.id },
    });

  it('keeps the newest version of a membership, whatever the clocks say', async () => {
    const u = user(['reviewer'], [HUB_A]);
    const now = Date.now();
    await membership(u, 3, ['reviewer'], [HUB_A], new Date(now));
    // An older version stamped later (clock skew between identity replicas) changes nothing.
    await membership(u, 2, ['viewer'], [], new Date(now + 60_000));
    expect(await principal(u)).toMatchObject({ roles: ['reviewer'], hub_ids: [HUB_A] });
    // Equal timestamps: the version decides, not the arrival order.
    await membership(u, 5, ['viewer'], [HUB_A], new Date(now + 120_000));
    await membership(u, 4, ['reviewer'], [HUB_A], new Date(now + 120_000));
    expect(await principal(u)).toMatchObject({ roles: ['viewer'], hub_ids: [HUB_A] });
    // A newer version applies.
    await membership(u, 6, ['reviewer', 'triager'], [HUB_A], new Date(now - 60_000));
    expect(await principal(u)).toMatchObject({ roles: ['reviewer', 'triager'] });
  });

  it('refuses to assign a deactivated reviewer, and assigns again after reactivation', async () => {
    const u = user(['reviewer'], [HUB_A]);
    await membership(u, 2, ['reviewer'], [HUB_A]);
    await status(u, 4, true);
    const c = await candidate();
    const refused = await assign(c.id, u);
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({ code: 'FEEDBACK.REVIEWER_DEACTIVATED' });

    // A late membership (v3) still applies to its part; the user stays deactivated (v4).
    await membership(u, 3, ['reviewer', 'triager'], [HUB_A]);
    expect(await principal(u)).toEqual({
      roles: ['reviewer', 'triager'],
      hub_ids: [HUB_A],
      deactivated: true,
    });
    expect((await assign(c.id, u)).body).toMatchObject({ code: 'FEEDBACK.REVIEWER_DEACTIVATED' });

    await status(u, 6, false);
    // The deactivation of v5 arrives after the reactivation of v6: it changes nothing.
    await status(u, 5, true);
    expect((await principal(u)).deactivated).toBe(false);
    const assigned = await assign(c.id, u);
    expect(assigned.status).toBe(200);
    expect(assigned.body).toMatchObject({ reviewer_id: u.id });
  });

  it('knows a user deactivated before its membership arrived', async () => {
    const u = user(['reviewer'], [HUB_A]);
    await status(u, 3, true);
    await handled(
      await t.publish(
        'ihf.identity.user.created.v1',
        {
          user_id: u.id,
          kind: 'user',
          name: 'Late',
          roles: ['reviewer'],
          created_at: new Date().toISOString(),
        },
        { aggregateId: u.id, aggregateVersion: 1 },
      ),
    );
    await membership(u, 1, ['reviewer'], [HUB_A]);
    expect(await principal(u)).toEqual({
      roles: ['reviewer'],
      hub_ids: [HUB_A],
      deactivated: true,
    });
    const c = await candidate();
    expect((await assign(c.id, u)).body).toMatchObject({ code: 'FEEDBACK.REVIEWER_DEACTIVATED' });
  });

  it('lets only one of "X duplicates Y" and "Y duplicates X" commit', async () => {
    // Holds each move to 'duplicate' in its UPDATE, so the two requests overlap there.
    await t.sql(`create function feedback.test_slow_duplicate() returns trigger
      language plpgsql as $$ begin perform pg_sleep(1); return new; end $$`);
    await t.sql(`create trigger test_slow_duplicate before update on feedback.requirement_candidates
      for each row when (new.status = 'duplicate' and old.status <> 'duplicate')
      execute function feedback.test_slow_duplicate()`);
    try {
      for (let round = 0; round < 2; round++) {
        const [x, y] = [await candidate(), await candidate()];
        const mark = (id: string, of: string) =>
          t.request<Candidate & { code?: string }>('POST', `/api/v1/candidates/${id}/transitions`, {
            user: triager,
            body: { to: 'duplicate', duplicate_of_id: of },
          });
        const answers = await Promise.all([mark(x.id, y.id), mark(y.id, x.id)]);
        expect(answers.map((a) => a.status).sort()).toEqual([200, 422]);
        expect(answers.find((a) => a.status === 422)?.body.code).toBe(
          'FEEDBACK.INVALID_DUPLICATE_TARGET',
        );
        const rows = await t.sql<{ id: string; status: string }>(
          `select id, status from feedback.requirement_candidates where id = any($1::uuid[])`,
          [[x.id, y.id]],
        );
        expect(rows.map((r) => r.status).sort()).toEqual(['duplicate', 'open']);
      }
    } finally {
      await t.sql('drop trigger test_slow_duplicate on feedback.requirement_candidates');
    }
  });
});
