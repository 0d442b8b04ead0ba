import { randomUUID } from 'node:crypto';
import { FeedbackTestApp, user } from './feedback-test-app.js';

// Keyset pagination over rows that share one timestamp with sub-millisecond digits (rows of
// one transaction share its `now()`): every list must return each row exactly once. With
// cursors in milliseconds, the next page started before all of them and repeated itself.

const SHARED = '2026-11-01T10:00:00.123456Z';
const HUB = randomUUID();

type ListPage = { items: { id: string }[]; next_cursor: string | null };

describe('feedback: keyset pagination over rows sharing a timestamp', () => {
  let t: FeedbackTestApp;
  const triager = user(['triager'], [HUB]);
  let widgetId: string;

  beforeAll(async () => {
    t = await FeedbackTestApp.start();
    await t.announceUser(triager);
    widgetId = await t.registerWidget(HUB);
  });

  afterAll(async () => {
    await t?.close();
  });

  /** Every id of every page of `url` (limit 2), failing on a repeated id or a stuck cursor. */
  async function pageAll(url: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const sep = url.includes('?') ? '&' : '?';
      const res: { status: number; body: ListPage } = await t.request<ListPage>(
        'GET',
        `${url}${sep}limit=2${cursor ? `&cursor=${cursor}` : ''}`,
        { user: triager },
      );
      expect(res.status).toBe(200);
      ids.push(...res.body.items.map((i) => i.id));
      expect(new Set(ids).size).toBe(ids.length);
      if (res.body.next_cursor === null) return ids;
      expect(res.body.next_cursor).not.toBe(cursor);
      cursor = res.body.next_cursor;
    }
    throw new Error(`${url}: more than 50 pages`);
  }

  async function create(path: string, body: Record<string, unknown>): Promise<string> {
    const res = await t.request<{ id: string }>('POST', path, { user: triager, body });
    if (res.status !== 201) throw new Error(`${path}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }

  const annotation = () => create('/api/v1/annotations', { widget_id: widgetId, body: 'Hidden' });

  it('lists annotations', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push(await annotation());
    // created_at is immutable by trigger; the rows are prepared as one transaction writes them.
    await t.sql(
      `alter table feedback.annotations disable trigger annotations_guard;
       update feedback.annotations set created_at = '${SHARED}' where hub_id = '${HUB}';
       alter table feedback.annotations enable trigger annotations_guard;`,
    );
    expect((await pageAll(`/api/v1/annotations?hub_id=${HUB}`)).sort()).toEqual(ids.sort());
  });

  it('lists threads', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(await create('/api/v1/threads', { widget_id: widgetId, title: `Thread ${i}` }));
    }
    await t.sql('update feedback.annotation_threads set updated_at = $1 where id = any($2)', [
      SHARED,
      ids,
    ]);
    expect((await pageAll(`/api/v1/threads?hub_id=${HUB}`)).sort()).toEqual(ids.sort());
  });

  it('pages the triage queue', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) {
      ids.push(
        await create('/api/v1/candidates', {
          title: `Candidate ${i}`,
          description: 'Users cannot find it',
          source_annotation_id: await annotation(),
        }),
      );
    }
    await t.sql('update feedback.requirement_candidates set created_at = $1 where id = any($2)', [
      SHARED,
      ids,
    ]);
    expect((await pageAll(`/api/v1/triage/queue?hub_id=${HUB}`)).sort()).toEqual(ids.sort());
  });
});
