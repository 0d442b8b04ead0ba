import { randomUUID } from 'node:crypto';
import { IngestionFixture } from './ingestion-fixture.js';

const REPORTING_V1 = '00000000-0000-4000-a000-00000000e110';

describe('contract registry and event queries', () => {
  let f: IngestionFixture;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };

  beforeAll(async () => {
    f = await IngestionFixture.start({ INGESTION_CONTRACT_CACHE_TTL_MS: '60000' });
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await f?.stop();
  });

  async function report(events: Record<string, unknown>[]) {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/interaction-events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify({ events }),
    });
    return JSON.parse(res.body) as {
      accepted: number;
      results: { status: string; reason?: string }[];
    };
  }

  function event(overrides: Record<string, unknown> = {}) {
    return {
      id: randomUUID(),
      widget_id: widget.id,
      hub_id: hub.id,
      event_type: 'clicked',
      occurred_at: new Date().toISOString(),
      ...overrides,
    };
  }

  it('lists the seeded contracts and adapter specs to every role', async () => {
    const viewer = f.token(['viewer'], [hub.id]);
    const envelope = await f.request<{ items: { contract_version: string; status: string }[] }>(
      'GET',
      '/api/v1/envelope-contracts?status=active',
      undefined,
      viewer,
    );
    expect(envelope.body.items.map((c) => c.contract_version)).toEqual(['1.0']);
    const specs = await f.request<{ items: { name: string }[] }>(
      'GET',
      '/api/v1/adapter-specs?framework=react',
      undefined,
      viewer,
    );
    expect(specs.body.items.map((s) => s.name)).toEqual(['react-18']);
    expect(
      (await f.request('GET', `/api/v1/reporting-contracts/${REPORTING_V1}`, undefined, viewer))
        .status,
    ).toBe(200);
    expect(
      (
        await f.request(
          'POST',
          '/api/v1/adapter-specs',
          { name: 'x', framework: 'x', version: '1.0' },
          viewer,
        )
      ).status,
    ).toBe(403);
  });

  it('checks widget envelopes against the active envelope contract', async () => {
    const viewer = f.token(['viewer'], [hub.id]);
    const good = await f.request<{ valid: boolean; contract_version: string }>(
      'POST',
      '/api/v1/envelope-contracts/active/validate',
      {
        attributes: {
          'data-widget-id': widget.id,
          'data-hub-id': hub.id,
          'data-view-context': 'checkout',
        },
      },
      viewer,
    );
    expect(good.status).toBe(200);
    expect(good.body).toMatchObject({ valid: true, contract_version: '1.0' });
    const bad = await f.request<{ valid: boolean; refusals: { reason: string; field: string }[] }>(
      'POST',
      '/api/v1/envelope-contracts/active/validate',
      { attributes: { 'data-widget-id': 'nope', 'data-hub-id': hub.id } },
      viewer,
    );
    expect(bad.body.valid).toBe(false);
    expect(bad.body.refusals.map((r) => r.reason).sort()).toEqual([
      'invalid_widget_id',
      'missing_field',
    ]);
  });

  it('refuses contracts with malformed validation rules', async () => {
    const res = await f.request<{ code: string }>('POST', '/api/v1/reporting-contracts', {
      contract_version: '9.9',
      endpoint_path: '/api/v1/interaction-events',
      accepted_event_types: ['clicked'],
      required_fields: ['widget_id'],
      validation_rules: [{ id: 'x', check: 'eval', path: 'event.a' }],
    });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('INGESTION.INVALID_VALIDATION_RULES');
  });

  it('enforces a newly activated reporting contract, superseding the old one, and replays what it now accepts', async () => {
    const swipe = event({ event_type: 'swiped' });
    expect((await report([swipe])).results[0].reason).toBe('event_type_not_accepted');

    const v1 = await f.request<{ validation_rules: unknown[] }>(
      'GET',
      `/api/v1/reporting-contracts/${REPORTING_V1}`,
    );
    const created = await f.request<{ id: string; status: string }>(
      'POST',
      '/api/v1/reporting-contracts',
      {
        contract_version: '1.1',
        endpoint_path: '/api/v1/interaction-events',
        accepted_event_types: ['clicked', 'viewed', 'submitted', 'swiped'],
        required_fields: ['widget_id', 'hub_id', 'event_type', 'occurred_at'],
        validation_rules: v1.body.validation_rules,
      },
    );
    expect(created.status).toBe(201);
    expect(created.body.status).toBe('draft');
    const activated = await f.request<{ status: string }>(
      'POST',
      `/api/v1/reporting-contracts/${created.body.id}/status`,
      {
        status: 'active',
      },
    );
    expect(activated.body.status).toBe('active');
    const old = await f.request<{ status: string }>(
      'GET',
      `/api/v1/reporting-contracts/${REPORTING_V1}`,
    );
    expect(old.body.status).toBe('superseded');

    const replay = await f.request<{ accepted: number }>(
      'POST',
      `/api/v1/hubs/${hub.id}/quarantine/replay`,
      {
        reason: 'event_type_not_accepted',
      },
    );
    expect(replay.body.accepted).toBe(1);
    expect((await report([event({ event_type: 'swiped' })])).accepted).toBe(1);
    const deprecated = await f.request<{ code: string }>(
      'POST',
      `/api/v1/reporting-contracts/${created.body.id}/status`,
      {
        status: 'draft',
      },
    );
    expect(deprecated.body.code).toBe('INGESTION.CONTRACT_TRANSITION_NOT_ALLOWED');
    expect(await f.outboxSubjects()).toEqual(
      expect.arrayContaining([
        'ihf.ingestion.reporting_contract.created.v1',
        'ihf.ingestion.reporting_contract.status_changed.v1',
      ]),
    );
    // Back to 1.0 for the other tests.
    await f.request('POST', `/api/v1/reporting-contracts/${REPORTING_V1}/status`, {
      status: 'active',
    });
  });

  it('registers adapter specs and moves them through their lifecycle', async () => {
    const spec = await f.request<{ id: string; status: string }>('POST', '/api/v1/adapter-specs', {
      name: 'svelte-5',
      framework: 'svelte',
      version: '1.0',
      envelope_contract_id: '00000000-0000-4000-a000-00000000e010',
    });
    expect(spec.body.status).toBe('draft');
    expect(
      (
        await f.request('POST', '/api/v1/adapter-specs', {
          name: 'svelte-5',
          framework: 's',
          version: '1.0',
        })
      ).status,
    ).toBe(409);
    const active = await f.request<{ status: string }>(
      'POST',
      `/api/v1/adapter-specs/${spec.body.id}/status`,
      { status: 'active' },
    );
    expect(active.body.status).toBe('active');
    const back = await f.request('POST', `/api/v1/adapter-specs/${spec.body.id}/status`, {
      status: 'draft',
    });
    expect(back.status).toBe(409);
    expect(await f.outboxSubjects()).toEqual(
      expect.arrayContaining(['ihf.ingestion.adapter_spec.status_changed.v1']),
    );
  });

  it('pages the events of a widget and of a hub in a time range, and counts them per type and bucket', async () => {
    const w = await f.createWidget(hub.id);
    // Whole hours a little in the past (the contract refuses events older than 30 days).
    const start = new Date(Math.floor((Date.now() - 3 * 3600_000) / 3600_000) * 3600_000);
    const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000).toISOString();
    const events = [
      event({ widget_id: w.id, occurred_at: at(1) }),
      event({ widget_id: w.id, occurred_at: at(2), event_type: 'viewed' }),
      event({ widget_id: w.id, occurred_at: at(3) }),
      event({ widget_id: w.id, occurred_at: at(61) }),
      event({ widget_id: w.id, occurred_at: at(62), event_type: 'submitted' }),
    ];
    expect((await report(events)).accepted).toBe(5);
    const from = start.toISOString();
    const to = at(120);
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const q: string = `/api/v1/widgets/${w.id}/events?from=${from}&to=${to}&limit=2${cursor ? `&cursor=${cursor}` : ''}`;
      const page = await f.request<{ items: { id: string }[]; next_cursor: string | null }>(
        'GET',
        encodeURI(q),
      );
      expect(page.status).toBe(200);
      seen.push(...page.body.items.map((i) => i.id));
      cursor = page.body.next_cursor;
    } while (cursor);
    expect(seen).toEqual(events.map((e) => e.id));

    const clicks = await f.request<{ items: { id: string }[] }>(
      'GET',
      encodeURI(`/api/v1/hubs/${hub.id}/events?from=${from}&to=${to}&event_type=clicked&limit=100`),
    );
    expect(clicks.body.items.map((i) => i.id)).toEqual(
      expect.arrayContaining([events[0].id, events[2].id, events[3].id]),
    );

    const counts = await f.request<{
      items: { bucket_start: string; event_type: string; count: number }[];
    }>('GET', encodeURI(`/api/v1/widgets/${w.id}/event-counts?from=${from}&to=${to}&bucket=hour`));
    expect(counts.body.items).toEqual([
      { bucket_start: from, event_type: 'clicked', count: 2 },
      { bucket_start: from, event_type: 'viewed', count: 1 },
      { bucket_start: at(60), event_type: 'clicked', count: 1 },
      { bucket_start: at(60), event_type: 'submitted', count: 1 },
    ]);
    const byVersion = await f.request<{ items: { widget_version: number }[] }>(
      'GET',
      encodeURI(
        `/api/v1/widgets/${w.id}/event-counts?from=${from}&to=${to}&bucket=day&by_version=true`,
      ),
    );
    expect(byVersion.body.items.every((i) => i.widget_version === 1)).toBe(true);
    const tooWide = await f.request<{ code: string }>(
      'GET',
      encodeURI(
        `/api/v1/widgets/${w.id}/event-counts?from=2000-01-01T00:00:00Z&to=${to}&bucket=minute`,
      ),
    );
    expect(tooWide.body.code).toBe('INGESTION.INVALID_TIME_RANGE');
    const outsider = f.token(['viewer'], [randomUUID()]);
    expect(
      (await f.request('GET', `/api/v1/widgets/${w.id}/events`, undefined, outsider)).status,
    ).toBe(404);
  });

  it('serves widget pages and counts from indexes, not a table scan', async () => {
    const widgets = await Promise.all(Array.from({ length: 20 }, () => f.createWidget(hub.id)));
    const em = f.em();
    await em.execute(
      `insert into ingestion.interaction_events (id, hub_id, widget_id, widget_version, event_type, occurred_at)
       select gen_random_uuid(), ?, (?::uuid[])[1 + (n % 20)], 1, (array['clicked','viewed'])[1 + (n % 2)],
              now() - (n || ' seconds')::interval
       from generate_series(1, 20000) as n`,
      [hub.id, `{${widgets.map((w) => w.id).join(',')}}`],
    );
    await em.execute('analyze ingestion.interaction_events');
    const plan = async (sql: string, params: unknown[]) =>
      (await em.execute<{ 'QUERY PLAN': string }[]>(`explain ${sql}`, params))
        .map((r) => r['QUERY PLAN'])
        .join('\n');
    const counts = await plan(
      `select date_bin('1 hour'::interval, occurred_at, timestamptz '2000-01-01T00:00:00Z'), event_type, count(*)
       from ingestion.interaction_events where widget_id = ? and occurred_at >= now() - interval '1 hour'
       and occurred_at < now() group by 1, 2`,
      [widgets[0].id],
    );
    // The planner picks the widget index or the time index, whichever is narrower; never a scan.
    expect(counts).toMatch(
      /Index (Only )?Scan using interaction_events_(widget_id|occurred_at)_idx/,
    );
    expect(counts).not.toMatch(/Seq Scan on interaction_events/);
    const page = await plan(
      `select * from ingestion.interaction_events where widget_id = ? and occurred_at >= now() - interval '1 day'
       and occurred_at < now() order by occurred_at, id limit 101`,
      [widgets[0].id],
    );
    expect(page).toMatch(
      /Index (Only )?Scan( Backward)? using interaction_events_(widget_id|occurred_at)_idx/,
    );
    expect(page).not.toMatch(/Seq Scan on interaction_events/);
  });
});
