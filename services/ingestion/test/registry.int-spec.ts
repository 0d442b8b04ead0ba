import { randomUUID } from 'node:crypto';
import { IngestionFixture } from './ingestion-fixture.js';

describe('ingestion registry: hubs, API keys, widgets', () => {
  let f: IngestionFixture;

  beforeAll(async () => {
    f = await IngestionFixture.start();
  });
  afterAll(async () => {
    await f?.stop();
  });

  it('migrates the schema with the v1.0 contracts and adapter specs seeded', async () => {
    const em = f.em();
    const envelope = await em.execute<
      { contract_version: string; required_attributes: string[]; status: string }[]
    >(
      'select contract_version, required_attributes, status from ingestion.envelope_emission_contracts',
    );
    expect(envelope).toEqual([
      {
        contract_version: '1.0',
        required_attributes: ['data-widget-id', 'data-view-context', 'data-hub-id'],
        status: 'active',
      },
    ]);
    const reporting = await em.execute<
      {
        endpoint_path: string;
        auth_scheme: string;
        accepted_event_types: string[];
        required_fields: string[];
      }[]
    >(
      'select endpoint_path, auth_scheme, accepted_event_types, required_fields from ingestion.interaction_reporting_contracts where status = ?',
      ['active'],
    );
    expect(reporting).toHaveLength(1);
    expect(reporting[0].endpoint_path).toBe('/api/v1/interaction-events');
    expect(reporting[0].auth_scheme).toBe('bearer');
    expect(reporting[0].accepted_event_types).toEqual(
      expect.arrayContaining(['clicked', 'viewed', 'submitted']),
    );
    expect(reporting[0].required_fields).toEqual([
      'widget_id',
      'hub_id',
      'event_type',
      'occurred_at',
    ]);
    const specs = await em.execute<{ name: string }[]>(
      'select name from ingestion.widget_adapter_specs order by name',
    );
    expect(specs.map((s) => s.name)).toEqual(
      expect.arrayContaining(['react-18', 'vue-3', 'web-component']),
    );
  });

  it('creates, reads, lists and updates hubs, with an event for each change', async () => {
    const hub = await f.createHub('alpha');
    expect(hub).toMatchObject({ slug: 'alpha' });
    expect(
      (await f.request('POST', '/api/v1/hubs', { slug: 'alpha', name: 'x', domain: 'a.b' })).status,
    ).toBe(409);
    const updated = await f.request<{ name: string }>('PATCH', `/api/v1/hubs/${hub.id}`, {
      name: 'Alpha 2',
    });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Alpha 2');
    expect((await f.request('GET', `/api/v1/hubs/${hub.id}`)).status).toBe(200);
    const list = await f.request<{ items: { id: string }[] }>('GET', '/api/v1/hubs?limit=100');
    expect(list.body.items.map((h) => h.id)).toContain(hub.id);
    expect(await f.outboxSubjects()).toEqual(
      expect.arrayContaining(['ihf.ingestion.hub.created.v1', 'ihf.ingestion.hub.updated.v1']),
    );
  });

  it('scopes hubs to their members and keeps hub admin to admins', async () => {
    const mine = await f.createHub();
    const other = await f.createHub();
    const viewer = f.token(['viewer'], [mine.id]);
    expect((await f.request('GET', `/api/v1/hubs/${mine.id}`, undefined, viewer)).status).toBe(200);
    expect((await f.request('GET', `/api/v1/hubs/${other.id}`, undefined, viewer)).status).toBe(
      404,
    );
    const list = await f.request<{ items: { id: string }[] }>(
      'GET',
      '/api/v1/hubs',
      undefined,
      viewer,
    );
    expect(list.body.items.map((h) => h.id)).toEqual([mine.id]);
    expect(
      (await f.request('POST', '/api/v1/hubs', { slug: 'nope', name: 'n', domain: 'a.b' }, viewer))
        .status,
    ).toBe(403);
    expect(
      (await f.request('GET', `/api/v1/hubs/${mine.id}`, undefined, 'not-a-token')).status,
    ).toBe(401);
  });

  it('issues API keys shown once, stored hashed, several active, revocable', async () => {
    const hub = await f.createHub();
    const a = await f.createKey(hub.id);
    const b = await f.createKey(hub.id);
    expect(a.key).toMatch(/^ihf_[a-z0-9]{8}_/);
    const stored = await f
      .em()
      .execute<{ key_hash: string }[]>('select key_hash from ingestion.hub_api_keys where id = ?', [
        a.id,
      ]);
    expect(stored[0].key_hash).toMatch(/^[0-9a-f]{64}$/);
    expect(stored[0].key_hash).not.toContain(a.key);
    const list = await f.request<{ items: Record<string, unknown>[] }>(
      'GET',
      `/api/v1/hubs/${hub.id}/api-keys`,
    );
    expect(list.body.items).toHaveLength(2);
    for (const item of list.body.items) {
      expect(item).not.toHaveProperty('key');
      expect(item).toHaveProperty('last_used_at');
    }
    const revoked = await f.request<{ revoked_at: string }>(
      'POST',
      `/api/v1/hubs/${hub.id}/api-keys/${b.id}/revoke`,
    );
    expect(revoked.status).toBe(201);
    expect(revoked.body.revoked_at).toBeTruthy();
    expect(await f.outboxSubjects()).toEqual(
      expect.arrayContaining([
        'ihf.ingestion.api_key.created.v1',
        'ihf.ingestion.api_key.revoked.v1',
      ]),
    );
  });

  it('registers widgets, bumps the version on definition changes with a snapshot each, and follows the status lifecycle', async () => {
    const hub = await f.createHub();
    const widget = await f.createWidget(hub.id, {
      adapter_spec_id: '00000000-0000-4000-a000-00000000a001',
    });
    expect(widget).toMatchObject({ version: 1, status: 'active' });
    const same = await f.request<{ version: number }>('PATCH', `/api/v1/widgets/${widget.id}`, {
      name: 'Buy button',
    });
    expect(same.body.version).toBe(1);
    const changed = await f.request<{ version: number }>('PATCH', `/api/v1/widgets/${widget.id}`, {
      name: 'Pay button',
      capability_ref: 'cap:pay',
    });
    expect(changed.body.version).toBe(2);
    const versions = await f.request<{
      items: { version: number; snapshot: Record<string, unknown> }[];
    }>('GET', `/api/v1/widgets/${widget.id}/versions`);
    expect(versions.body.items.map((v) => v.version)).toEqual([1, 2]);
    expect(versions.body.items[1].snapshot).toMatchObject({
      name: 'Pay button',
      capability_ref: 'cap:pay',
    });

    const deprecated = await f.request<{ status: string; version: number }>(
      'POST',
      `/api/v1/widgets/${widget.id}/status`,
      { status: 'deprecated' },
    );
    expect(deprecated.body).toMatchObject({ status: 'deprecated', version: 3 });
    expect(
      (await f.request('POST', `/api/v1/widgets/${widget.id}/status`, { status: 'retired' }))
        .status,
    ).toBe(201);
    const back = await f.request<{ code: string }>('POST', `/api/v1/widgets/${widget.id}/status`, {
      status: 'active',
    });
    expect(back.status).toBe(409);
    expect(back.body.code).toBe('INGESTION.WIDGET_TRANSITION_NOT_ALLOWED');
    expect((await f.request('PATCH', `/api/v1/widgets/${widget.id}`, { name: 'x' })).status).toBe(
      409,
    );

    const unknownSpec = await f.request('POST', `/api/v1/hubs/${hub.id}/widgets`, {
      name: 'w',
      widget_type: 'button',
      adapter_spec_id: randomUUID(),
    });
    expect(unknownSpec.status).toBe(422);
    expect(await f.outboxSubjects()).toEqual(
      expect.arrayContaining([
        'ihf.ingestion.widget.registered.v1',
        'ihf.ingestion.widget.updated.v1',
        'ihf.ingestion.widget.status_changed.v1',
      ]),
    );
  });

  it('lists widgets of a hub with filters and cursor pagination', async () => {
    const hub = await f.createHub();
    for (let i = 0; i < 5; i++)
      await f.createWidget(hub.id, { widget_type: i % 2 ? 'form' : 'button' });
    const first = await f.request<{ items: { id: string }[]; next_cursor: string | null }>(
      'GET',
      `/api/v1/hubs/${hub.id}/widgets?widget_type=button&limit=2`,
    );
    expect(first.body.items).toHaveLength(2);
    const second = await f.request<{ items: { id: string }[]; next_cursor: string | null }>(
      'GET',
      `/api/v1/hubs/${hub.id}/widgets?widget_type=button&limit=2&cursor=${first.body.next_cursor}`,
    );
    expect(second.body.items).toHaveLength(1);
    expect(second.body.next_cursor).toBeNull();
    const bad = await f.request<{ code: string }>(
      'GET',
      `/api/v1/hubs/${hub.id}/widgets?cursor=zzz`,
    );
    expect(bad.body.code).toBe('REQUEST.INVALID_CURSOR');
  });

  it('keeps widgets of other hubs invisible', async () => {
    const hub = await f.createHub();
    const widget = await f.createWidget(hub.id);
    const outsider = f.token(['governor'], [randomUUID()]);
    expect(
      (await f.request('GET', `/api/v1/widgets/${widget.id}`, undefined, outsider)).status,
    ).toBe(404);
    expect(
      (await f.request('PATCH', `/api/v1/widgets/${widget.id}`, { name: 'x' }, outsider)).status,
    ).toBe(404);
  });
});
