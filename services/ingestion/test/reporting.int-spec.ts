import { randomUUID } from 'node:crypto';
import { gzipSync } from 'node:zlib';
import { RequestContext } from '@mikro-orm/core';
import { waitFor } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

interface ReportBody {
  accepted: number;
  duplicate: number;
  rejected: number;
  results: {
    index: number;
    id: string | null;
    status: string;
    reason?: string;
    rule?: string;
    contract_version?: string;
  }[];
}

describe('POST /api/v1/interaction-events', () => {
  let f: IngestionFixture;
  let hub: { id: string };
  let otherHub: { id: string };
  let key: string;
  let otherKey: string;
  let widget: { id: string; version: number };

  beforeAll(async () => {
    f = await IngestionFixture.start();
    hub = await f.createHub();
    otherHub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    otherKey = (await f.createKey(otherHub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await f?.stop();
  });

  function event(overrides: Record<string, unknown> = {}): Record<string, unknown> {
    return {
      id: randomUUID(),
      widget_id: widget.id,
      hub_id: hub.id,
      event_type: 'clicked',
      occurred_at: new Date().toISOString(),
      ...overrides,
    };
  }

  async function post(
    payload: unknown,
    opts: { key?: string; headers?: Record<string, string>; raw?: boolean } = {},
  ): Promise<{
    status: number;
    body: ReportBody & { code?: string };
    headers: Record<string, unknown>;
  }> {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/interaction-events',
      headers: {
        authorization: `Bearer ${opts.key ?? key}`,
        'content-type': 'application/json',
        ...opts.headers,
      },
      payload: opts.raw ? (payload as string | Buffer) : JSON.stringify(payload),
    });
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as ReportBody & { code?: string },
      headers: res.headers,
    };
  }

  async function storedCount(ids: string[]): Promise<number> {
    const rows = await f
      .em()
      .execute<{ n: string }[]>(
        'select count(*) as n from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
    return Number(rows[0].n);
  }

  it('accepts one event and answers 202 after it is stored, with the widget version', async () => {
    const e = event();
    const res = await post(e);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      accepted: 1,
      duplicate: 0,
      rejected: 0,
      results: [{ index: 0, id: e.id, status: 'accepted' }],
    });
    const rows = await f
      .em()
      .execute<{ widget_version: number; hub_id: string; actor_type: string }[]>(
        'select widget_version, hub_id, actor_type from ingestion.interaction_events where id = ?',
        [e.id],
      );
    expect(rows).toEqual([{ widget_version: widget.version, hub_id: hub.id, actor_type: 'user' }]);
  });

  it('stores good events of a mixed batch, refuses the bad ones with reasons, and quarantines them', async () => {
    const retired = await f.createWidget(hub.id);
    await f.request('POST', `/api/v1/widgets/${retired.id}/status`, { status: 'retired' });
    const foreign = await f.createWidget(otherHub.id);
    const batch = [
      event(),
      event({ event_type: 'licked' }),
      event({ widget_id: retired.id }),
      event({ hub_id: otherHub.id }),
      event({ widget_id: foreign.id }),
      event({ occurred_at: new Date(Date.now() + 3600_000).toISOString() }),
      event({ widget_id: randomUUID() }),
      event({ id: 'not-a-uuid' }),
      event({ occurred_at: undefined }),
      event({ metadata: { a: { b: { c: { d: { e: { f: 1 } } } } } } }),
      event({ surprise: true }),
      'not an object',
      event({
        event_type: 'viewed',
        actor_id: randomUUID(),
        actor_type: 'agent',
        metadata: { k: 'v' },
      }),
    ];
    const res = await post({ events: batch });
    expect(res.status).toBe(202);
    expect(res.body.results.map((r) => r.reason ?? r.status)).toEqual([
      'accepted',
      'event_type_not_accepted',
      'widget_not_active',
      'hub_mismatch',
      'widget_not_in_hub',
      'occurred_at_in_future',
      'unknown_widget',
      'invalid_id',
      'missing_field',
      'metadata_too_large',
      'unknown_field',
      'invalid_event',
      'accepted',
    ]);
    expect(res.body.results[1]).toMatchObject({
      rule: 'event_type_accepted',
      contract_version: '1.0',
    });
    expect(res.body).toMatchObject({ accepted: 2, duplicate: 0, rejected: 11 });
    const ids = batch.flatMap((e) =>
      typeof e === 'object' && typeof e.id === 'string' && e.id.length === 36 ? [e.id] : [],
    );
    expect(await storedCount(ids)).toBe(2);

    const counts = await f.request<{ items: { reason: string; count: number }[]; total: number }>(
      'GET',
      `/api/v1/hubs/${hub.id}/quarantine/counts`,
    );
    expect(counts.body.total).toBeGreaterThanOrEqual(11);
    expect(counts.body.items.map((i) => i.reason)).toEqual(
      expect.arrayContaining(['widget_not_active', 'hub_mismatch']),
    );

    // The retry: nothing new stored, nothing quarantined twice, the stored ones are duplicates.
    const retry = await post({ events: batch });
    expect(retry.body).toMatchObject({ accepted: 0, duplicate: 2, rejected: 11 });
    expect(await storedCount(ids)).toBe(2);
    const again = await f.request<{ total: number }>(
      'GET',
      `/api/v1/hubs/${hub.id}/quarantine/counts`,
    );
    // Each refusal is kept once, those without a usable id too (by the hash of their JSON).
    expect(again.body.total).toBe(counts.body.total);
  });

  it('treats a repeated id in one batch and an already stored event refused now as duplicates', async () => {
    const e = event();
    const res = await post([e, e]);
    expect(res.body.results.map((r) => r.status)).toEqual(['accepted', 'duplicate']);
    const w = await f.createWidget(hub.id);
    const stored = event({ widget_id: w.id });
    expect((await post(stored)).body.accepted).toBe(1);
    await f.request('POST', `/api/v1/widgets/${w.id}/status`, { status: 'retired' });
    expect((await post(stored)).body.results[0].status).toBe('duplicate');
  });

  it('records the client widget version when known, else the current one', async () => {
    const w = await f.createWidget(hub.id);
    await f.request('PATCH', `/api/v1/widgets/${w.id}`, { name: 'v2' });
    const known = event({ widget_id: w.id, widget_version: 1 });
    const unknown = event({ widget_id: w.id, widget_version: 9 });
    await post([known, unknown]);
    const rows = await f
      .em()
      .execute<{ id: string; widget_version: number }[]>(
        'select id, widget_version from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${known.id as string},${unknown.id as string}}`],
      );
    expect(Object.fromEntries(rows.map((r) => [r.id, r.widget_version]))).toEqual({
      [known.id as string]: 1,
      [unknown.id as string]: 2,
    });
  });

  it("refuses every event of another hub's key", async () => {
    const res = await post([event()], { key: otherKey });
    expect(res.status).toBe(202);
    expect(res.body.results[0].reason).toBe('hub_mismatch');
  });

  it('answers 401 for a missing, malformed, unknown or revoked key', async () => {
    expect((await post(event(), { key: 'nope' })).status).toBe(401);
    expect((await post(event(), { key: `ihf_abcd1234_${'a'.repeat(43)}` })).status).toBe(401);
    const created = await f.createKey(hub.id);
    expect((await post(event(), { key: created.key })).status).toBe(202);
    await f.request('POST', `/api/v1/hubs/${hub.id}/api-keys/${created.id}/revoke`);
    const revoked = await post(event(), { key: created.key });
    expect(revoked.status).toBe(401);
    expect(revoked.headers['content-type']).toContain('application/problem+json');
  });

  it('honours a revocation made by another replica at once, not after the key cache TTL', async () => {
    const created = await f.createKey(hub.id);
    expect((await post(event(), { key: created.key })).status).toBe(202);
    // Another replica (here: a plain UPDATE) revokes it; this replica hears of it from Postgres.
    await f
      .em()
      .execute('update ingestion.hub_api_keys set revoked_at = now() where id = ?', [created.id]);
    const started = Date.now();
    await waitFor(async () => (await post(event(), { key: created.key })).status === 401, {
      timeoutMs: 3000,
      intervalMs: 50,
      message: 'the revoked key to be refused',
    });
    expect(Date.now() - started).toBeLessThan(f.config.INGESTION_API_KEY_CACHE_TTL_MS);
    // Last uses are written in batches, within about a second.
    await waitFor(
      async () => {
        const listed = await f.request<{ items: { id: string; last_used_at: string | null }[] }>(
          'GET',
          `/api/v1/hubs/${hub.id}/api-keys`,
        );
        return Boolean(listed.body.items.find((k) => k.id === created.id)?.last_used_at);
      },
      { timeoutMs: 3000, intervalMs: 100, message: 'the key’s last use to be recorded' },
    );
  });

  it("applies another replica's widget change at once, not after the widget cache TTL", async () => {
    const w = await f.createWidget(hub.id);
    expect((await post(event({ widget_id: w.id }))).body.accepted).toBe(1); // now cached
    await f
      .em()
      .execute(
        "update ingestion.widgets set status = 'retired', version = version + 1 where id = ?",
        [w.id],
      );
    const started = Date.now();
    await waitFor(
      async () => (await post(event({ widget_id: w.id }))).body.results[0].status === 'rejected',
      { timeoutMs: 3000, intervalMs: 50, message: 'events of the retired widget to be refused' },
    );
    expect(Date.now() - started).toBeLessThan(f.config.INGESTION_WIDGET_CACHE_TTL_MS);
  });

  it('answers 400, 413 and 415 as problem+json for bad bodies', async () => {
    const malformed = await post('{"events": [', { raw: true });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('REQUEST.MALFORMED_JSON');
    const wrongType = await post('hello', { raw: true, headers: { 'content-type': 'text/plain' } });
    expect(wrongType.status).toBe(415);
    const tooMany = await post({ events: Array.from({ length: 1001 }, () => event()) });
    expect(tooMany.status).toBe(413);
    expect(tooMany.body.code).toBe('INGESTION.BATCH_TOO_LARGE');
    const huge = await post({ events: [event({ metadata: { pad: 'x'.repeat(1_100_000) } })] });
    expect(huge.status).toBe(413);
    expect((await post({ events: [] })).status).toBe(400);
    expect((await post({ events: 'x' })).status).toBe(400);
    const poisoned = await post('{"__proto__": {"x": 1}}', { raw: true });
    expect(poisoned.status).toBe(400);
  });

  it('refuses a batch holding text Postgres cannot store with 400 naming the field, storing none of it', async () => {
    // The validator relies on this refusal before the handler (it no longer checks each event).
    for (const bad of ['nul \u0000 byte', 'lone \ud800 surrogate']) {
      const batch = [event(), event({ metadata: { note: bad } }), event({ view_context_ref: bad })];
      const res = await post({ events: batch });
      expect(res.status).toBe(400);
      const problem = res.body as unknown as { code: string; errors: { field: string }[] };
      expect(problem.code).toBe('REQUEST.VALIDATION_FAILED');
      expect(problem.errors.map((e) => e.field)).toEqual([
        'events[1].metadata.note',
        'events[2].view_context_ref',
      ]);
      expect(await storedCount(batch.map((e) => e.id as string))).toBe(0);
    }
  });

  it('accepts gzip bodies and refuses a gzip bomb by its decompressed size', async () => {
    const batch = [event(), event()];
    const gz = await post(gzipSync(Buffer.from(JSON.stringify({ events: batch }))), {
      raw: true,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(gz.status).toBe(202);
    expect(gz.body.accepted).toBe(2);
    const bomb = gzipSync(Buffer.from(`{"events":[${' '.repeat(50 * 1024 * 1024)}]}`));
    expect(bomb.length).toBeLessThan(1024 * 1024);
    const refused = await post(bomb, { raw: true, headers: { 'content-encoding': 'gzip' } });
    expect(refused.status).toBe(413);
    expect(refused.body.code).toBe('REQUEST.BODY_TOO_LARGE');
    const broken = await post(Buffer.from('not gzip'), {
      raw: true,
      headers: { 'content-encoding': 'gzip' },
    });
    expect(broken.status).toBe(400);
  });

  it('writes the events of concurrent requests in shared group commits', async () => {
    const before = await groupCommits();
    const requests = Array.from({ length: 30 }, () => post([event(), event()]));
    const answers = await Promise.all(requests);
    expect(answers.every((a) => a.status === 202 && a.body.accepted === 2)).toBe(true);
    const after = await groupCommits();
    expect(after.rows - before.rows).toBe(60);
    expect(after.count - before.count).toBeLessThan(30);
    // Where the answers' time went: one wait per request, one duration per statement.
    expect(after.waits - before.waits).toBe(30);
    expect(after.statements - before.statements).toBe(after.count - before.count);
  });

  async function groupCommits(): Promise<{
    count: number;
    rows: number;
    waits: number;
    statements: number;
  }> {
    const metrics = (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    const count = /ihf_ingestion_group_commit_rows_count\{[^}]*\} (\d+)/.exec(metrics);
    const sum = /ihf_ingestion_group_commit_rows_sum\{[^}]*\} (\d+)/.exec(metrics);
    const waits = /ihf_ingestion_group_commit_wait_seconds_count\{[^}]*\} (\d+)/.exec(metrics);
    const statements = /ihf_ingestion_group_commit_seconds_count\{[^}]*\} (\d+)/.exec(metrics);
    return {
      count: Number(count?.[1] ?? 0),
      rows: Number(sum?.[1] ?? 0),
      waits: Number(waits?.[1] ?? 0),
      statements: Number(statements?.[1] ?? 0),
    };
  }

  it('replays quarantined events once the cause is fixed, through the same validation', async () => {
    const w = await f.createWidget(hub.id);
    await f.request('POST', `/api/v1/widgets/${w.id}/status`, { status: 'deprecated' });
    const e = event({ widget_id: w.id });
    expect((await post(e)).body.results[0].reason).toBe('widget_not_active');
    const listed = await f.request<{ items: { id: string; event_id: string; raw: unknown }[] }>(
      'GET',
      `/api/v1/hubs/${hub.id}/quarantine?reason=widget_not_active&limit=500`,
    );
    const entry = listed.body.items.find((i) => i.event_id === e.id)!;
    expect(entry.raw).toEqual(e);

    const early = await f.request<{ rejected: number }>(
      'POST',
      `/api/v1/hubs/${hub.id}/quarantine/replay`,
      { ids: [entry.id] },
    );
    expect(early.body.rejected).toBe(1);
    await f.request('POST', `/api/v1/widgets/${w.id}/status`, { status: 'active' });
    const replay = await f.request<{ accepted: number; results: { status: string }[] }>(
      'POST',
      `/api/v1/hubs/${hub.id}/quarantine/replay`,
      { ids: [entry.id] },
    );
    expect(replay.status).toBe(200);
    expect(replay.body.accepted).toBe(1);
    expect(await storedCount([e.id as string])).toBe(1);
    const after = await f.request<{ items: { id: string }[] }>(
      'GET',
      `/api/v1/hubs/${hub.id}/quarantine?limit=500`,
    );
    expect(after.body.items.map((i) => i.id)).not.toContain(entry.id);
    // Replaying the same event again (e.g. a second entry for it) is a duplicate, not a second row.
    expect((await post(e)).body.results[0].status).toBe('duplicate');
    const viewer = f.token(['viewer'], [hub.id]);
    expect(
      (await f.request('POST', `/api/v1/hubs/${hub.id}/quarantine/replay`, {}, viewer)).status,
    ).toBe(403);
    expect(
      (await f.request('GET', `/api/v1/hubs/${otherHub.id}/quarantine`, undefined, viewer)).status,
    ).toBe(403);
  });

  it('drops quarantined events after the retention period', async () => {
    await f.em().execute(
      `insert into ingestion.quarantined_events (hub_id, raw, dedupe_key, reason_code, rule_id, received_at)
       values (?, '{}', 'old', 'old', 'old', now() - interval '400 days')`,
      [hub.id],
    );
    const { QuarantineService } = await import('../src/quarantine/quarantine.service.js');
    expect(await f.app.get(QuarantineService).prune()).toBe(1);
  });

  it('reports without forking an ORM request context; other routes still get one', async () => {
    const contexts = jest.spyOn(RequestContext, 'create');
    try {
      expect((await post(event())).status).toBe(202);
      expect(contexts).not.toHaveBeenCalled();
      expect((await f.request('GET', `/api/v1/hubs/${hub.id}`)).status).toBe(200);
      expect(contexts).toHaveBeenCalledTimes(1);
    } finally {
      contexts.mockRestore();
    }
  });

  it('serves readiness, metrics and the OpenAPI document', async () => {
    expect((await f.app.inject({ method: 'GET', url: '/health/ready' })).statusCode).toBe(200);
    const docs = await f.app.inject({ method: 'GET', url: '/docs/json' });
    expect(Object.keys(JSON.parse(docs.body) as { paths: object }).length).toBeGreaterThan(0);
    expect(docs.body).toContain('/api/v1/interaction-events');
    const metrics = await f.app.inject({ method: 'GET', url: '/metrics' });
    expect(metrics.body).toMatch(/ihf_ingestion_events_total\{[^}]*outcome="accepted"/);
  });

  it('keeps interaction_events append-only in the database', async () => {
    const e = event();
    await post(e);
    await expect(
      f
        .em()
        .execute(`update ingestion.interaction_events set event_type = 'viewed' where id = ?`, [
          e.id,
        ]),
    ).rejects.toThrow(/append-only/);
    await expect(
      f.em().execute('delete from ingestion.interaction_events where id = ?', [e.id]),
    ).rejects.toThrow(/append-only/);
    await expect(f.em().execute('truncate ingestion.interaction_events cascade')).rejects.toThrow(
      /append-only/,
    );
  });
});
