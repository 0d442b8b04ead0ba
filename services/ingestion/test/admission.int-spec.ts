import { randomUUID } from 'node:crypto';
import { IngestionFixture } from './ingestion-fixture.js';

interface Answer {
  status: number;
  retryAfter: string | null;
  contentType: string | null;
  body: { code?: string; reason?: string; accepted?: number };
}

/**
 * Admission control of the reporting endpoint, over real HTTP: an overload is answered 503 +
 * Retry-After at once (nothing of those requests stored), and the admitted ones are stored.
 * Group commits wait 100 ms here so that requests stay in flight long enough to pile up.
 */
describe('reporting under overload', () => {
  let f: IngestionFixture;
  let url: string;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };

  beforeAll(async () => {
    f = await IngestionFixture.start({
      INGESTION_MAX_IN_FLIGHT_REQUESTS: '4',
      INGESTION_MAX_PENDING_EVENTS: '1000',
      INGESTION_GROUP_COMMIT_MAX_WAIT_MS: '100',
      INGESTION_GROUP_COMMIT_MAX_ROWS: '50000',
    });
    await f.app.listen(0, '127.0.0.1');
    url = `${await f.app.getUrl()}/api/v1/interaction-events`.replace('[::1]', '127.0.0.1');
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await f?.stop();
  });

  const event = () => ({
    id: randomUUID(),
    widget_id: widget.id,
    hub_id: hub.id,
    event_type: 'clicked',
    occurred_at: new Date().toISOString(),
  });

  async function post(body: unknown): Promise<Answer> {
    const res = await fetch(url, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      retryAfter: res.headers.get('retry-after'),
      contentType: res.headers.get('content-type'),
      body: (await res.json()) as Answer['body'],
    };
  }

  async function stored(ids: string[]): Promise<number> {
    const [row] = await f
      .em()
      .execute<{ n: string }[]>(
        'select count(*) as n from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
    return Number(row.n);
  }

  it('answers 503 + Retry-After beyond the in-flight bound, stores the admitted, and recovers', async () => {
    const events = Array.from({ length: 16 }, event);
    const answers = await Promise.all(events.map((e) => post(e)));
    const admitted = events.filter((_, i) => answers[i].status === 202);
    const shed = events.filter((_, i) => answers[i].status === 503);
    expect(admitted.length + shed.length).toBe(16);
    expect(admitted.length).toBeGreaterThanOrEqual(4);
    expect(shed.length).toBeGreaterThan(0);
    const refusal = answers.find((a) => a.status === 503)!;
    expect(refusal.retryAfter).toBe('1');
    expect(refusal.contentType).toContain('application/problem+json');
    expect(refusal.body).toMatchObject({ code: 'INGESTION.OVERLOADED', reason: 'in_flight' });
    expect(await stored(admitted.map((e) => e.id))).toBe(admitted.length);
    expect(await stored(shed.map((e) => e.id))).toBe(0);
    // Every answered request left the bound: one at a time, all are admitted again.
    for (let i = 0; i < 6; i++) expect((await post(event())).status).toBe(202);
    const metrics = (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    expect(metrics).toMatch(
      new RegExp(
        `ihf_ingestion_overload_refusals_total\\{[^}]*reason="in_flight"[^}]*\\} ${shed.length}`,
      ),
    );
  });

  it('answers 503 when more events than the pending bound wait to be written', async () => {
    const batches = [0, 1, 2].map(() => Array.from({ length: 400 }, event));
    const answers = await Promise.all(batches.map((b) => post(b)));
    const statuses = answers.map((a) => a.status).sort();
    // 400 + 400 fit in 1,000 pending events; the third batch does not.
    expect(statuses).toEqual([202, 202, 503]);
    const refused = answers.findIndex((a) => a.status === 503);
    expect(answers[refused].body).toMatchObject({
      code: 'INGESTION.OVERLOADED',
      reason: 'pending_events',
    });
    expect(answers[refused].retryAfter).toBe('1');
    expect(await stored(batches[refused].map((e) => e.id))).toBe(0);
    expect((await post(batches[refused])).body.accepted).toBe(400);
  });

  it('never sheds health, metrics or other routes', async () => {
    const base = url.replace('/api/v1/interaction-events', '');
    const slow = Array.from({ length: 12 }, () => post(event()));
    const health = await fetch(`${base}/health/ready`);
    const widgets = await fetch(`${base}/api/v1/widgets/${widget.id}`, {
      headers: { authorization: `Bearer ${f.adminToken}` },
    });
    await Promise.all(slow);
    expect(health.status).toBe(200);
    expect(widgets.status).toBe(200);
  });
});
