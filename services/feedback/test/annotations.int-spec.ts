import { randomUUID } from 'node:crypto';
import { type AnnotationCategory, type AnnotationSubmittedV1 } from '@ihf/contracts';
import { waitFor } from '@ihf/testing';
import { FeedbackTestApp, user, widgetSnapshot } from './feedback-test-app.js';

const HUB_A = randomUUID();
const HUB_B = randomUUID();

interface AnnotationBody {
  id: string;
  hub_id: string;
  widget_id: string;
  parent_id: string | null;
  thread_id: string | null;
  body: string;
  category: string;
  severity: string;
  retracted: boolean;
  source: string;
}

describe('feedback: annotations, threads and read models', () => {
  let t: FeedbackTestApp;
  let widgetA: string;
  let widgetB: string;
  const memberA = user(['viewer'], [HUB_A]);
  const triagerA = user(['triager'], [HUB_A]);
  const triagerB = user(['triager'], [HUB_B]);

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    widgetA = await t.registerWidget(HUB_A);
    widgetB = await t.registerWidget(HUB_B);
  });
  afterAll(async () => {
    await t?.close();
  });

  it('stores an annotation from a signed-in member, with defaults, and emits annotation.created', async () => {
    const res = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: "Where's the save button? ?? $1 \\ '' --" },
    });
    expect(res.status).toBe(201);
    expect(res.body.body).toBe("Where's the save button? ?? $1 \\ '' --");
    expect(res.body).toMatchObject({
      hub_id: HUB_A,
      widget_id: widgetA,
      category: 'friction',
      severity: 'medium',
      source: 'api',
      retracted: false,
      actor_id: memberA.id,
    });
    const event = await t.waitForEvent(
      'ihf.feedback.annotation.created.v1',
      (e) => e.payload.annotation_id === res.body.id,
    );
    expect(event).toMatchObject({ hub_id: HUB_A, producer: 'feedback', aggregate_id: res.body.id });
  });

  it('serves health and an OpenAPI document with its routes', async () => {
    expect((await t.request('GET', '/health/ready')).status).toBe(200);
    const docs = await t.request<{ paths: Record<string, unknown> }>('GET', '/docs/json');
    expect(docs.status).toBe(200);
    expect(Object.keys(docs.body.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/annotations',
        '/api/v1/threads/{id}/annotations',
        '/api/v1/candidates/{id}/transitions',
        '/api/v1/candidates/{id}/reviewer',
        '/api/v1/triage/queue',
      ]),
    );
  });

  it('refuses invalid bodies, unknown categories and annotations on widgets of other hubs', async () => {
    const blank = await t.request('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: '  ', category: 'rant' },
    });
    expect(blank.status).toBe(400);
    const other = await t.request('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetB, body: 'not my hub' },
    });
    expect(other.status).toBe(404);
    expect(other.body.code).toBe('FEEDBACK.WIDGET_NOT_FOUND');
    const anonymous = await t.request('POST', '/api/v1/annotations', {
      body: { widget_id: widgetA, body: 'who am I' },
    });
    expect(anonymous.status).toBe(401);
  });

  it('keeps replies on their parent widget and in its thread', async () => {
    const thread = await t.request<{ id: string }>('POST', '/api/v1/threads', {
      user: triagerA,
      body: { widget_id: widgetA, title: 'Save button' },
    });
    expect(thread.status).toBe(201);
    const parent = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: 'parent', thread_id: thread.body.id, severity: 'high' },
    });
    const reply = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: 'me too', parent_id: parent.body.id },
    });
    expect(reply.status).toBe(201);
    expect(reply.body).toMatchObject({ parent_id: parent.body.id, thread_id: thread.body.id });

    const widgetA2 = await t.registerWidget(HUB_A, 'Other widget');
    const crossWidget = await t.request('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA2, body: 'reply elsewhere', parent_id: parent.body.id },
    });
    expect(crossWidget.status).toBe(422);
    expect(crossWidget.body.code).toBe('FEEDBACK.INVALID_PARENT');
  });

  it('lists threads with counts, severity mix and last activity; adds and removes annotations of the same widget only', async () => {
    const thread = await t.request<{ id: string }>('POST', '/api/v1/threads', {
      user: triagerA,
      body: { widget_id: widgetA, title: 'Checkout friction', description: 'grouped' },
    });
    const ids: string[] = [];
    for (const severity of ['low', 'critical', 'critical']) {
      const a = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
        user: memberA,
        body: { widget_id: widgetA, body: `sev ${severity}`, severity },
      });
      ids.push(a.body.id);
    }
    const added = await t.request('POST', `/api/v1/threads/${thread.body.id}/annotations`, {
      user: triagerA,
      body: { annotation_ids: ids },
    });
    expect(added.status).toBe(200);
    expect(added.body).toMatchObject({
      annotation_count: 3,
      severity_mix: { low: 1, medium: 0, high: 0, critical: 2 },
    });

    const onB = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: user(['viewer'], [HUB_B]),
      body: { widget_id: widgetB, body: 'on B' },
    });
    const foreign = await t.request('POST', `/api/v1/threads/${thread.body.id}/annotations`, {
      user: triagerA,
      body: { annotation_ids: [onB.body.id] },
    });
    expect(foreign.status).toBe(422);
    expect(foreign.body.code).toBe('FEEDBACK.ANNOTATION_ON_OTHER_WIDGET');

    const removed = await t.request(
      'DELETE',
      `/api/v1/threads/${thread.body.id}/annotations/${ids[0]}`,
      { user: triagerA },
    );
    expect(removed.status).toBe(200);
    expect(removed.body).toMatchObject({
      annotation_count: 2,
      severity_mix: { low: 0, critical: 2 },
    });
    const again = await t.request(
      'DELETE',
      `/api/v1/threads/${thread.body.id}/annotations/${ids[0]}`,
      { user: triagerA },
    );
    expect(again.status).toBe(404);

    const list = await t.request<{ items: { id: string; last_activity_at: string }[] }>(
      'GET',
      `/api/v1/threads?widget_id=${widgetA}&limit=1`,
      { user: memberA },
    );
    expect(list.status).toBe(200);
    expect(list.body.items[0].id).toBe(thread.body.id);
    expect(Date.parse(list.body.items[0].last_activity_at)).toBeGreaterThan(0);

    const changed = await t.waitForEvent(
      'ihf.feedback.thread.changed.v1',
      (e) => e.payload.thread_id === thread.body.id && e.payload.change === 'annotation_removed',
    );
    expect(changed.payload.annotation_id).toBe(ids[0]);
    expect(
      await t.request('GET', `/api/v1/threads/${thread.body.id}`, { user: triagerB }),
    ).toMatchObject({ status: 404 });
  });

  it('renames a thread and moves an annotation between threads, with an event for each thread', async () => {
    const make = async (title: string) =>
      (
        await t.request<{ id: string }>('POST', '/api/v1/threads', {
          user: triagerA,
          body: { widget_id: widgetA, title },
        })
      ).body.id;
    const first = await make('First');
    const second = await make('Second');
    const a = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: 'moves', thread_id: first },
    });
    const moved = await t.request('POST', `/api/v1/threads/${second}/annotations`, {
      user: triagerA,
      body: { annotation_ids: [a.body.id] },
    });
    expect(moved.body).toMatchObject({ annotation_count: 1 });
    expect(
      (await t.request('GET', `/api/v1/threads/${first}`, { user: triagerA })).body,
    ).toMatchObject({ annotation_count: 0 });
    await t.waitForEvent(
      'ihf.feedback.thread.changed.v1',
      (e) =>
        e.payload.thread_id === first &&
        e.payload.change === 'annotation_removed' &&
        e.payload.annotation_id === a.body.id,
    );

    const renamed = await t.request('PATCH', `/api/v1/threads/${second}`, {
      user: triagerA,
      body: { title: 'Second, renamed', description: 'now with a description' },
    });
    expect(renamed.status).toBe(200);
    expect(renamed.body).toMatchObject({
      title: 'Second, renamed',
      description: 'now with a description',
    });
    const event = await t.waitForEvent(
      'ihf.feedback.thread.changed.v1',
      (e) => e.payload.thread_id === second && e.payload.change === 'details_changed',
    );
    expect(event.payload).toMatchObject({ title: 'Second, renamed', annotation_id: null });
    const viewer = await t.request('PATCH', `/api/v1/threads/${second}`, {
      user: memberA,
      body: { title: 'nope' },
    });
    expect(viewer.status).toBe(403);
  });

  it('retracts (author or triager only), hides retracted ones by default and keeps the body', async () => {
    const a = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetA, body: 'oops, wrong widget' },
    });
    const stranger = await t.request('POST', `/api/v1/annotations/${a.body.id}/retract`, {
      user: user(['viewer'], [HUB_A]),
    });
    expect(stranger.status).toBe(403);
    const otherHub = await t.request('POST', `/api/v1/annotations/${a.body.id}/retract`, {
      user: triagerB,
    });
    expect(otherHub.status).toBe(404);
    expect(otherHub.body.code).toBe('FEEDBACK.ANNOTATION_NOT_FOUND');
    const seenFromB = await t.request('GET', `/api/v1/annotations/${a.body.id}`, {
      user: triagerB,
    });
    expect(seenFromB.status).toBe(404);
    const listedFromB = await t.request<{ items: AnnotationBody[] }>(
      'GET',
      '/api/v1/annotations?limit=200',
      { user: triagerB },
    );
    expect(listedFromB.body.items.every((i) => i.hub_id === HUB_B)).toBe(true);
    expect(
      (await t.request('GET', `/api/v1/threads?hub_id=${HUB_A}`, { user: triagerB })).status,
    ).toBe(403);
    const retracted = await t.request<AnnotationBody>(
      'POST',
      `/api/v1/annotations/${a.body.id}/retract`,
      { user: memberA },
    );
    expect(retracted.status).toBe(200);
    expect(retracted.body).toMatchObject({ retracted: true, body: 'oops, wrong widget' });

    const visible = await t.request<{ items: AnnotationBody[] }>(
      'GET',
      `/api/v1/annotations?widget_id=${widgetA}&limit=200`,
      { user: memberA },
    );
    expect(visible.body.items.map((i) => i.id)).not.toContain(a.body.id);
    const all = await t.request<{ items: AnnotationBody[] }>(
      'GET',
      `/api/v1/annotations?widget_id=${widgetA}&include_retracted=true&limit=200`,
      { user: memberA },
    );
    expect(all.body.items.map((i) => i.id)).toContain(a.body.id);

    await t.waitForEvent(
      'ihf.feedback.annotation.retracted.v1',
      (e) => e.payload.annotation_id === a.body.id,
    );
    // Never edited or deleted, not even by SQL.
    await expect(
      t.sql(`update feedback.annotations set body = 'rewritten' where id = $1`, [a.body.id]),
    ).rejects.toThrow(/never edited/);
    await expect(
      t.sql(`delete from feedback.annotations where id = $1`, [a.body.id]),
    ).rejects.toThrow(/never deleted/);
  });

  it('paginates annotations with a cursor and refuses a forged one', async () => {
    const widget = await t.registerWidget(HUB_A, 'Paged');
    for (let i = 0; i < 5; i++) {
      await t.request('POST', '/api/v1/annotations', {
        user: memberA,
        body: { widget_id: widget, body: `n${i}` },
      });
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const page: { body: { items: AnnotationBody[]; next_cursor: string | null } } =
        await t.request(
          'GET',
          `/api/v1/annotations?widget_id=${widget}&limit=2${cursor ? `&cursor=${cursor}` : ''}`,
          {
            user: memberA,
          },
        );
      seen.push(...page.body.items.map((i) => i.body));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(['n4', 'n3', 'n2', 'n1', 'n0']);
    const forged = await t.request('GET', `/api/v1/annotations?cursor=abc`, { user: memberA });
    expect(forged.status).toBe(400);
    expect(forged.body.code).toBe('REQUEST.INVALID_CURSOR');
  });

  it('stores a submitted annotation once, however often the event is redelivered', async () => {
    const annotationId = randomUUID();
    const payload: AnnotationSubmittedV1 = {
      annotation_id: annotationId,
      hub_id: HUB_A,
      widget_id: widgetA,
      widget_version: 1,
      parent_id: null,
      body: 'from the external UI',
      category: 'bug',
      severity: 'high',
      actor_id: null,
      actor_type: 'anonymous',
      widget_state_ref: 'step-2',
      submitted_at: new Date().toISOString(),
    };
    const first = await t.publish('ihf.ingestion.annotation.submitted.v1', payload, {
      hubId: HUB_A,
      eventId: annotationId,
    });
    // The same event again past the broker's dedupe (new Nats-Msg-Id): the inbox catches it.
    await t.publish('ihf.ingestion.annotation.submitted.v1', payload, {
      hubId: HUB_A,
      eventId: first.event_id,
      msgId: randomUUID(),
    });
    // A different event for the same annotation (a re-sent submission): its id catches it.
    await t.publish('ihf.ingestion.annotation.submitted.v1', payload, { hubId: HUB_A });
    await waitFor(
      async () =>
        Number(
          (
            await t.sql<{ n: string }>(
              `select count(*) as n from feedback.inbox where consumer = 'feedback__ingestion_annotations'`,
            )
          )[0].n,
        ) >= 2 || undefined,
      { timeoutMs: 10_000, message: 'both distinct events handled' },
    );
    const rows = await t.sql('select * from feedback.annotations where id = $1', [annotationId]);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      source: 'ingestion',
      category: 'bug',
      severity: 'high',
      widget_state_ref: 'step-2',
      hub_id: HUB_A,
    });
    await t.waitForEvent(
      'ihf.feedback.annotation.created.v1',
      (e) => e.payload.annotation_id === annotationId,
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(
      await t.feedbackEvents(
        'ihf.feedback.annotation.created.v1',
        (e) => e.payload.annotation_id === annotationId,
      ),
    ).toHaveLength(1);
  });

  it('stores a reply that arrives before its parent once the parent is there, and dead-letters what no retry fixes', async () => {
    const submitted = (
      id: string,
      extra: Partial<AnnotationSubmittedV1> = {},
    ): AnnotationSubmittedV1 => ({
      annotation_id: id,
      hub_id: HUB_A,
      widget_id: widgetA,
      widget_version: 1,
      parent_id: null,
      body: `annotation ${id}`,
      category: 'idea',
      severity: 'low',
      actor_id: null,
      actor_type: 'anonymous',
      widget_state_ref: null,
      submitted_at: new Date().toISOString(),
      ...extra,
    });
    const parentId = randomUUID();
    const replyId = randomUUID();
    await t.publish(
      'ihf.ingestion.annotation.submitted.v1',
      submitted(replyId, { parent_id: parentId }),
      { hubId: HUB_A },
    );
    await new Promise((r) => setTimeout(r, 300));
    expect(await t.sql('select 1 from feedback.annotations where id = $1', [replyId])).toEqual([]);
    await t.publish('ihf.ingestion.annotation.submitted.v1', submitted(parentId), {
      hubId: HUB_A,
    });
    const [reply] = await waitFor(
      async () => {
        const rows = await t.sql<{ parent_id: string }>(
          'select parent_id from feedback.annotations where id = $1',
          [replyId],
        );
        return rows.length ? rows : undefined;
      },
      { timeoutMs: 15_000, message: 'the reply stored after its parent' },
    );
    expect(reply.parent_id).toBe(parentId);

    const bad = randomUUID();
    await t.publish(
      'ihf.ingestion.annotation.submitted.v1',
      submitted(bad, { category: 'rant' as AnnotationCategory }),
      {
        hubId: HUB_A,
        breaksContract: 'a category feedback does not know',
      },
    );
    const reasons = await waitFor(
      async () => {
        const r = await t.deadLetters('feedback__ingestion_annotations');
        return r.length ? r : undefined;
      },
      { message: 'dead letter' },
    );
    expect(reasons[0]).toContain('category must be one of the following values');
    expect(await t.sql('select 1 from feedback.annotations where id = $1', [bad])).toEqual([]);
  });

  it('applies widget events only when newer, whatever order they arrive in', async () => {
    const widgetId = randomUUID();
    const now = new Date().toISOString();
    const events: { event_id: string }[] = [];
    events.push(
      await t.publish(
        'ihf.ingestion.widget.updated.v1',
        {
          ...widgetSnapshot(widgetId, HUB_A, 3, 'Renamed'),
          changed_fields: ['name'],
          updated_at: now,
        },
        { hubId: HUB_A, aggregateId: widgetId, aggregateVersion: 3 },
      ),
    );
    events.push(
      await t.publish(
        'ihf.ingestion.widget.status_changed.v1',
        {
          widget_id: widgetId,
          hub_id: HUB_A,
          from: 'active',
          to: 'deprecated',
          version: 2,
          changed_at: now,
        },
        { hubId: HUB_A, aggregateId: widgetId, aggregateVersion: 2 },
      ),
    );
    events.push(
      await t.publish(
        'ihf.ingestion.widget.registered.v1',
        { ...widgetSnapshot(widgetId, HUB_A, 1, 'Original'), created_at: now },
        { hubId: HUB_A, aggregateId: widgetId, aggregateVersion: 1 },
      ),
    );
    await waitFor(
      async () =>
        (
          await t.sql('select 1 from feedback.inbox where event_id = any($1::uuid[])', [
            events.map((e) => e.event_id),
          ])
        ).length === 3 || undefined,
      { timeoutMs: 10_000, message: 'the three widget events handled' },
    );
    const [row] = await t.sql('select name, status, version from feedback.widgets where id = $1', [
      widgetId,
    ]);
    expect(row).toEqual({ name: 'Renamed', status: 'active', version: 3 });

    await t.publish(
      'ihf.ingestion.widget.status_changed.v1',
      {
        widget_id: widgetId,
        hub_id: HUB_A,
        from: 'active',
        to: 'retired',
        version: 4,
        changed_at: now,
      },
      { hubId: HUB_A, aggregateId: widgetId, aggregateVersion: 4 },
    );
    await waitFor(
      async () =>
        (
          await t.sql(`select 1 from feedback.widgets where id = $1 and status = 'retired'`, [
            widgetId,
          ])
        ).length > 0 || undefined,
      { message: 'retired' },
    );
    const refused = await t.request('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: widgetId, body: 'too late' },
    });
    expect(refused.status).toBe(409);
    expect(refused.body.code).toBe('FEEDBACK.WIDGET_RETIRED');
  });

  it('keeps the newest name when a status change overtook the registration and the rename (22.5)', async () => {
    const widgetId = randomUUID();
    const now = new Date().toISOString();
    const key = { hubId: HUB_A, aggregateId: widgetId };
    // Status v3, then registered v1, then updated v2 (the order several relays can produce),
    // each handled before the next is sent so the order is exactly this one.
    const handled = async (event: { event_id: string }) => {
      await waitFor(
        async () =>
          (await t.sql('select 1 from feedback.inbox where event_id = $1', [event.event_id]))
            .length > 0 || undefined,
        { timeoutMs: 10_000, message: `event ${event.event_id} handled` },
      );
    };
    await handled(
      await t.publish(
        'ihf.ingestion.widget.status_changed.v1',
        {
          widget_id: widgetId,
          hub_id: HUB_A,
          from: 'active',
          to: 'deprecated',
          version: 3,
          changed_at: now,
        },
        { ...key, aggregateVersion: 3 },
      ),
    );
    await handled(
      await t.publish(
        'ihf.ingestion.widget.registered.v1',
        { ...widgetSnapshot(widgetId, HUB_A, 1, 'Original'), created_at: now },
        { ...key, aggregateVersion: 1 },
      ),
    );
    await handled(
      await t.publish(
        'ihf.ingestion.widget.updated.v1',
        {
          ...widgetSnapshot(widgetId, HUB_A, 2, 'Renamed'),
          changed_fields: ['name'],
          updated_at: now,
        },
        { ...key, aggregateVersion: 2 },
      ),
    );
    const [row] = await t.sql('select name, status, version from feedback.widgets where id = $1', [
      widgetId,
    ]);
    expect(row).toEqual({ name: 'Renamed', status: 'deprecated', version: 3 });
  });

  it('asks ingestion about a widget its read model has not seen yet', async () => {
    const fresh = randomUUID();
    t.serveWidgetLookups(new Map([[fresh, widgetSnapshot(fresh, HUB_A, 2, 'Fresh')]]));
    try {
      const res = await t.request<AnnotationBody>('POST', '/api/v1/annotations', {
        user: memberA,
        body: { widget_id: fresh, body: 'before the event arrived' },
      });
      expect(res.status).toBe(201);
      expect(res.body.hub_id).toBe(HUB_A);
      const [row] = await t.sql('select hub_id, version from feedback.widgets where id = $1', [
        fresh,
      ]);
      expect(row).toEqual({ hub_id: HUB_A, version: 2 });

      const unknown = await t.request('POST', '/api/v1/annotations', {
        user: memberA,
        body: { widget_id: randomUUID(), body: 'no such widget' },
      });
      expect(unknown.status).toBe(404);
    } finally {
      t.serveWidgetLookups(null);
    }
    const unanswered = await t.request('POST', '/api/v1/annotations', {
      user: memberA,
      body: { widget_id: randomUUID(), body: 'ingestion is down' },
    });
    expect(unanswered.status).toBe(503);
    expect(unanswered.body.code).toBe('FEEDBACK.WIDGET_LOOKUP_UNAVAILABLE');
  });
});
