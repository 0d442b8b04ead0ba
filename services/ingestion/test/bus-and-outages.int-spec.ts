import { randomUUID } from 'node:crypto';
import { jetstreamManager, type JetStreamManager } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import {
  contractFor,
  EventEnvelopeDto,
  physicalStreamName,
  RpcPatterns,
  type WidgetGetResponseV1,
} from '@ihf/contracts';
import { Client } from 'pg';
import { RpcClient, TableTails, tailChannel } from '@ihf/messaging';
import { TcpProxy, harnessSecurity, waitFor } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

interface StreamMessage {
  subject: string;
  msgId: string | undefined;
  envelope: { event_id: string; type: string; hub_id: string; payload: Record<string, unknown> };
}

describe('ingestion on the bus, and through Postgres and NATS outages', () => {
  let f: IngestionFixture;
  let pgProxy: TcpProxy;
  let natsProxy: TcpProxy;
  let nc: NatsConnection;
  let jsm: JetStreamManager;
  let hub: { id: string };
  let key: string;
  let widget: { id: string; version: number };

  beforeAll(async () => {
    f = await IngestionFixture.start(
      {
        INGESTION_RATE_LIMIT_EVENTS_PER_SEC: '1',
        INGESTION_RATE_LIMIT_BURST: '250',
        INGESTION_API_KEY_CACHE_TTL_MS: '60000',
        INGESTION_DB_WRITE_TIMEOUT_MS: '2000',
      },
      (env) => ({
        databaseUrl: pgProxy.rewrite(env.databaseUrl),
        natsUrl: natsProxy.rewrite(env.natsUrl),
      }),
      async (env) => {
        pgProxy = await TcpProxy.forUrl(env.databaseUrl, 5432);
        natsProxy = await TcpProxy.forUrl(env.natsUrl, 4222);
      },
    );
    nc = await connect({ servers: f.env.natsUrl, ...harnessSecurity() });
    jsm = await jetstreamManager(nc);
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await nc?.close();
    await f?.stop();
    await pgProxy?.close();
    await natsProxy?.close();
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

  async function post(url: string, payload: unknown, apiKey = key) {
    const res = await f.app.inject({
      method: 'POST',
      url,
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as Record<string, unknown>,
      headers: res.headers,
    };
  }

  async function streamMessages(stream: string): Promise<StreamMessage[]> {
    const name = physicalStreamName(f.env.natsNamespace, stream);
    const info = await jsm.streams.info(name);
    const out: StreamMessage[] = [];
    for (
      let seq = info.state.first_seq;
      seq <= info.state.last_seq && info.state.messages > 0;
      seq++
    ) {
      const m = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (!m) continue;
      out.push({
        subject: m.subject,
        msgId: m.header?.get('Nats-Msg-Id'),
        envelope: m.json<StreamMessage['envelope']>(),
      });
    }
    return out;
  }

  it("wakes its leading relay itself: the leader's group commits send no NOTIFY, others' still do", async () => {
    const tails = f.app.get(TableTails);
    await waitFor(() => tails.leads('interaction_events'), { message: 'this replica leading' });
    const listener = new Client({ connectionString: f.env.databaseUrl });
    await listener.connect();
    const notified: string[] = [];
    listener.on('notification', (n) => notified.push(n.channel));
    try {
      await listener.query(`listen ${tailChannel('ingestion', 'interaction_events')}`);
      const events = [event(), event()];
      for (const e of events)
        expect((await post('/api/v1/interaction-events', e)).status).toBe(202);
      const ids = events.map((e) => e.id as string);
      await waitFor(
        async () =>
          (await streamMessages('IHF_EVENTS')).filter((m) => ids.includes(m.envelope.event_id))
            .length === 2,
        { message: "the leader's events relayed" },
      );
      expect(notified).toEqual([]);
      // A write by anyone else (another replica, a repair by hand) still notifies the relay.
      await f.em().execute(
        `insert into ingestion.interaction_events (id, hub_id, widget_id, widget_version, event_type, actor_type, metadata, occurred_at)
           values (?, ?, ?, 1, 'clicked', 'user', '{}', now())`,
        [randomUUID(), hub.id, widget.id],
      );
      await waitFor(() => notified.length === 1, { message: 'a NOTIFY for the other write' });
    } finally {
      await listener.end();
    }
  });

  it('relays every stored event to IHF_EVENTS once, with the event id as message id', async () => {
    const events = [event(), event({ event_type: 'viewed', metadata: { step: 2 } })];
    expect((await post('/api/v1/interaction-events', events)).status).toBe(202);
    const ids = events.map((e) => e.id as string);
    const messages = await waitFor(
      async () => {
        const all = (await streamMessages('IHF_EVENTS')).filter((m) =>
          ids.includes(m.envelope.event_id),
        );
        return all.length === 2 ? all : undefined;
      },
      { message: 'interaction events on IHF_EVENTS' },
    );
    const stored = await f
      .em()
      .execute<{ id: string; received_at: string }[]>(
        'select id, occurred_at, received_at from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
    for (const m of messages) {
      const sent = events.find((e) => e.id === m.envelope.event_id)!;
      const row = stored.find((r) => r.id === sent.id)!;
      expect(m.subject).toBe(`${f.env.natsNamespace}.ihf.ingestion.interaction.recorded.v1`);
      expect(m.msgId).toBe(m.envelope.event_id);
      // The whole envelope, exactly as the contract describes it.
      expect(m.envelope).toEqual({
        event_id: sent.id,
        type: 'ihf.ingestion.interaction.recorded.v1',
        version: 1,
        occurred_at: new Date(sent.occurred_at as string).toISOString(),
        producer: 'ingestion',
        correlation_id: sent.id,
        causation_id: null,
        hub_id: hub.id,
        aggregate_id: widget.id,
        aggregate_version: widget.version,
        payload: {
          event_id: sent.id,
          hub_id: hub.id,
          widget_id: widget.id,
          widget_version: widget.version,
          event_type: sent.event_type,
          actor_id: null,
          actor_type: 'user',
          view_context_ref: null,
          metadata: sent.metadata ?? {},
          occurred_at: new Date(sent.occurred_at as string).toISOString(),
          received_at: new Date(row.received_at).toISOString(),
        },
      });
      // And it passes the validation every consumer applies.
      expect(await validate(plainToInstance(EventEnvelopeDto, m.envelope))).toEqual([]);
      const contract = contractFor(m.envelope.type)!;
      const payload = plainToInstance(contract.payload, m.envelope.payload);
      expect(await validate(payload, { forbidUnknownValues: true })).toEqual([]);
    }
  });

  it('publishes registry changes and annotations on IHF_INGESTION', async () => {
    const annotation = {
      id: randomUUID(),
      hub_id: hub.id,
      widget_id: widget.id,
      body: 'The button label is confusing',
      category: 'friction',
      severity: 'high',
      widget_state_ref: 'state:42',
    };
    const res = await post('/api/v1/annotations', annotation);
    expect(res.status).toBe(202);
    expect(res.body).toEqual({
      id: annotation.id,
      status: 'accepted',
      widget_version: widget.version,
    });
    expect((await post('/api/v1/annotations', annotation)).body.status).toBe('duplicate');
    const messages = await waitFor(
      async () => {
        const all = await streamMessages('IHF_INGESTION');
        return all.some((m) => m.envelope.event_id === annotation.id) ? all : undefined;
      },
      { message: 'the annotation on IHF_INGESTION' },
    );
    const published = messages.filter((m) => m.envelope.event_id === annotation.id);
    expect(published).toHaveLength(1);
    expect(published[0].envelope.type).toBe('ihf.ingestion.annotation.submitted.v1');
    expect(published[0].envelope.payload).toMatchObject({
      body: annotation.body,
      widget_version: widget.version,
    });
    expect(messages.map((m) => m.envelope.type)).toEqual(
      expect.arrayContaining([
        'ihf.ingestion.hub.created.v1',
        'ihf.ingestion.widget.registered.v1',
      ]),
    );

    const retired = await f.createWidget(hub.id);
    await f.request('POST', `/api/v1/widgets/${retired.id}/status`, { status: 'retired' });
    const refused = await post('/api/v1/annotations', {
      ...annotation,
      id: randomUUID(),
      widget_id: retired.id,
    });
    expect(refused.status).toBe(422);
    expect(refused.body).toMatchObject({
      code: 'INGESTION.ANNOTATION_REFUSED',
      reason: 'widget_not_active',
    });
    expect((await post('/api/v1/annotations', { ...annotation, id: 'x' })).status).toBe(400);
  });

  it('replays a quarantined annotation once its widget is active again', async () => {
    const w = await f.createWidget(hub.id);
    await f.request('POST', `/api/v1/widgets/${w.id}/status`, { status: 'deprecated' });
    const annotation = { id: randomUUID(), hub_id: hub.id, widget_id: w.id, body: 'Too small' };
    expect((await post('/api/v1/annotations', annotation)).status).toBe(422);
    const listed = await f.request<{ items: { id: string; kind: string; event_id: string }[] }>(
      'GET',
      `/api/v1/hubs/${hub.id}/quarantine?reason=widget_not_active&limit=500`,
    );
    const entry = listed.body.items.find((i) => i.event_id === annotation.id)!;
    expect(entry.kind).toBe('annotation');
    await f.request('POST', `/api/v1/widgets/${w.id}/status`, { status: 'active' });
    const replay = await f.request<{ accepted: number }>(
      'POST',
      `/api/v1/hubs/${hub.id}/quarantine/replay`,
      {
        ids: [entry.id],
      },
    );
    expect(replay.body.accepted).toBe(1);
    const outbox = await f
      .em()
      .execute<{ subject: string }[]>('select subject from ingestion.outbox where id = ?', [
        annotation.id,
      ]);
    expect(outbox).toEqual([{ subject: 'ihf.ingestion.annotation.submitted.v1' }]);
    expect((await post('/api/v1/annotations', annotation)).body.status).toBe('duplicate');
  });

  it('relays events written by many concurrent requests exactly once each', async () => {
    const many = await f.createHub();
    const manyKey = (await f.createKey(many.id)).key;
    const w = await f.createWidget(many.id);
    const batches = Array.from({ length: 40 }, () =>
      Array.from({ length: 5 }, () => event({ hub_id: many.id, widget_id: w.id })),
    );
    const answers = await Promise.all(
      batches.map((b) => post('/api/v1/interaction-events', b, manyKey)),
    );
    expect(answers.every((a) => a.status === 202 && a.body.accepted === 5)).toBe(true);
    const ids = new Set(batches.flat().map((e) => e.id as string));
    const relayed = await waitFor(
      async () => {
        const all = (await streamMessages('IHF_EVENTS')).filter((m) =>
          ids.has(m.envelope.event_id),
        );
        return all.length >= ids.size ? all : undefined;
      },
      { timeoutMs: 20_000, message: 'every concurrent event on IHF_EVENTS' },
    );
    expect(relayed).toHaveLength(200);
    expect(new Set(relayed.map((m) => m.envelope.event_id)).size).toBe(200);
  });

  it('answers widget look-ups over NATS request/reply', async () => {
    // As feedback, one of the pattern's callers (its own credentials under IHF_TEST_BUS_AUTH=1).
    const client = new RpcClient({
      natsUrl: f.env.natsUrl,
      service: 'feedback',
      namespace: f.env.natsNamespace,
    });
    await client.connect();
    try {
      const found = await client.request<WidgetGetResponseV1>(RpcPatterns.Ingestion.WidgetGetV1, {
        widget_id: widget.id,
      });
      expect(found).toMatchObject({
        found: true,
        widget: { widget_id: widget.id, hub_id: hub.id, status: 'active' },
      });
      const missing = await client.request<WidgetGetResponseV1>(RpcPatterns.Ingestion.WidgetGetV1, {
        widget_id: randomUUID(),
      });
      expect(missing).toEqual({ found: false, widget: null });
      const invalid = await client.request<WidgetGetResponseV1>(RpcPatterns.Ingestion.WidgetGetV1, {
        widget_id: 1,
      });
      expect(invalid.found).toBe(false);
    } finally {
      await client.close();
    }
  });

  it('keeps accepting events while NATS is down, and relays each exactly once when it is back', async () => {
    natsProxy.cut();
    const events = Array.from({ length: 20 }, () => event());
    for (let i = 0; i < events.length; i += 5) {
      const res = await post('/api/v1/interaction-events', events.slice(i, i + 5));
      expect(res.status).toBe(202);
      expect(res.body.accepted).toBe(5);
    }
    await new Promise((r) => setTimeout(r, 500));
    natsProxy.restore();
    const ids = new Set(events.map((e) => e.id as string));
    const relayed = await waitFor(
      async () => {
        const all = (await streamMessages('IHF_EVENTS')).filter((m) =>
          ids.has(m.envelope.event_id),
        );
        return all.length >= ids.size ? all : undefined;
      },
      { timeoutMs: 30_000, message: 'the events stored while NATS was down' },
    );
    expect(relayed).toHaveLength(ids.size);
    expect(new Set(relayed.map((m) => m.envelope.event_id)).size).toBe(ids.size);
  });

  it('answers 503 with Retry-After while Postgres is unreachable, never 202, and recovers', async () => {
    const e = event();
    pgProxy.cut();
    try {
      const res = await post('/api/v1/interaction-events', [e]);
      expect(res.status).toBe(503);
      expect(res.headers['retry-after']).toBe('5');
      expect(res.body.code).toBe('INGESTION.STORAGE_UNAVAILABLE');
      const registry = await f.request<{ code: string }>('GET', `/api/v1/hubs/${hub.id}`);
      expect(registry.status).toBe(503);
      expect(registry.headers['retry-after']).toBe('5');
    } finally {
      pgProxy.restore();
    }
    const stored = await f
      .em()
      .execute<{ id: string }[]>('select id from ingestion.interaction_events where id = ?', [
        e.id,
      ]);
    expect(stored).toEqual([]);
    const retried = await waitFor(
      async () => {
        const res = await post('/api/v1/interaction-events', [e]);
        return res.status === 202 ? res : undefined;
      },
      { timeoutMs: 20_000, message: 'a 202 once Postgres is back' },
    );
    expect(retried.body.accepted).toBe(1);
  });

  it('limits each hub with 429 and Retry-After', async () => {
    const limited = await f.createHub();
    const limitedKey = (await f.createKey(limited.id)).key;
    const w = await f.createWidget(limited.id);
    const batch = () =>
      Array.from({ length: 100 }, () => event({ hub_id: limited.id, widget_id: w.id }));
    expect((await post('/api/v1/interaction-events', batch(), limitedKey)).status).toBe(202);
    expect((await post('/api/v1/interaction-events', batch(), limitedKey)).status).toBe(202);
    const refused = await post('/api/v1/interaction-events', batch(), limitedKey);
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body.code).toBe('INGESTION.RATE_LIMITED');
    // Another hub is not affected.
    expect((await post('/api/v1/interaction-events', [event()])).status).toBe(202);
  });
});
