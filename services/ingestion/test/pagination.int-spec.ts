import { randomUUID } from 'node:crypto';
import { IngestionFixture } from './ingestion-fixture.js';

// Keyset pagination over rows that share one timestamp with sub-millisecond digits (as rows of
// one transaction or group commit do, `now()` having microseconds): every list must return
// each row exactly once. With cursors in milliseconds, page 2 repeated page 1 for ever.

const SHARED = '2026-11-01T10:00:00.123456Z';

describe('ingestion: keyset pagination over rows sharing a timestamp', () => {
  let f: IngestionFixture;
  let hub: { id: string };
  let key: string;

  beforeAll(async () => {
    f = await IngestionFixture.start({ INGESTION_MAX_EVENT_LOOP_DELAY_MS: '60000' });
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
  });

  afterAll(async () => {
    await f?.stop();
  });

  /** Every id of every page of `url` (limit 2), failing on a repeated id or a stuck cursor. */
  type ListPage = { items: { id: string }[]; next_cursor: string | null };

  async function pageAll(url: string): Promise<string[]> {
    const ids: string[] = [];
    let cursor: string | null = null;
    for (let page = 0; page < 50; page++) {
      const sep = url.includes('?') ? '&' : '?';
      const res: { status: number; body: ListPage } = await f.request<ListPage>(
        'GET',
        `${url}${sep}limit=2${cursor ? `&cursor=${cursor}` : ''}`,
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

  const shareTimestamp = (table: string, column: string, ids: string[]) =>
    f
      .em()
      .execute(
        `update ingestion.${table} set ${column} = ?::timestamptz where id = any(?::uuid[])`,
        [SHARED, `{${ids.join(',')}}`],
      );

  it('lists hubs', async () => {
    const ids = [hub.id];
    for (let i = 0; i < 4; i++) ids.push((await f.createHub()).id);
    await shareTimestamp('hubs', 'created_at', ids);
    const listed = await pageAll('/api/v1/hubs');
    expect(listed.filter((id) => ids.includes(id)).sort()).toEqual([...ids].sort());
  });

  it("lists a hub's widgets", async () => {
    const ids: string[] = [];
    for (let i = 0; i < 5; i++) ids.push((await f.createWidget(hub.id)).id);
    await shareTimestamp('widgets', 'created_at', ids);
    expect((await pageAll(`/api/v1/hubs/${hub.id}/widgets`)).sort()).toEqual([...ids].sort());
  });

  it("lists a hub's quarantine (one group commit: one received_at)", async () => {
    const widget = await f.createWidget(hub.id);
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/interaction-events',
      headers: { authorization: `Bearer ${key}` },
      payload: {
        events: Array.from({ length: 5 }, () => ({
          id: randomUUID(),
          widget_id: widget.id,
          hub_id: hub.id,
          event_type: 'licked',
          occurred_at: new Date().toISOString(),
        })),
      },
    });
    expect(res.statusCode).toBe(202);
    const rows = await f
      .em()
      .execute<{ id: string }[]>('select id from ingestion.quarantined_events where hub_id = ?', [
        hub.id,
      ]);
    expect(rows).toHaveLength(5);
    const ids = rows.map((r) => r.id);
    // Made explicit (a commit's now() has sub-millisecond digits but may end in 000).
    await shareTimestamp('quarantined_events', 'received_at', ids);
    expect((await pageAll(`/api/v1/hubs/${hub.id}/quarantine`)).sort()).toEqual([...ids].sort());
  });

  it("lists a hub's and a widget's events that occurred at the same microsecond", async () => {
    const widget = await f.createWidget(hub.id);
    // The API keeps milliseconds of a reported occurred_at; rows written otherwise (imports,
    // the column default) have microseconds, and the list must page them too.
    const occurredAt = new Date(Date.now() - 60_000).toISOString().replace('Z', '456Z');
    const ids = Array.from({ length: 5 }, () => randomUUID());
    for (const id of ids) {
      await f.em().execute(
        `insert into ingestion.interaction_events
             (id, hub_id, widget_id, widget_version, event_type, occurred_at)
           values (?, ?, ?, ?, 'clicked', ?::timestamptz)`,
        [id, hub.id, widget.id, widget.version, occurredAt],
      );
    }
    expect((await pageAll(`/api/v1/hubs/${hub.id}/events`)).sort()).toEqual([...ids].sort());
    expect((await pageAll(`/api/v1/widgets/${widget.id}/events`)).sort()).toEqual([...ids].sort());
  });
});
