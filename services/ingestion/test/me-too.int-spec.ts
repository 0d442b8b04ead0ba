import { randomUUID } from 'node:crypto';
import { type CandidateGetResponseV1, RpcPatterns } from '@ihf/contracts';
import { TestBus, waitFor } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

// An end user's "me too" (issue 16) goes the way annotations go: checked against the hub key,
// stored as an outbox row under the client's id, relayed to IHF_INGESTION once.

describe('ingestion: "me too" from end users', () => {
  let f: IngestionFixture;
  let bus: TestBus;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };

  beforeAll(async () => {
    f = await IngestionFixture.start();
    bus = await TestBus.connect(f.env.natsUrl, f.env.natsNamespace);
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await bus?.close();
    await f?.stop();
  });

  async function post(payload: unknown, apiKey = key) {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/me-too',
      headers: { authorization: `Bearer ${apiKey}`, 'content-type': 'application/json' },
      payload: JSON.stringify(payload),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  }

  it('accepts a "me too" once, and relays it to IHF_INGESTION once under its id', async () => {
    const meToo = {
      id: randomUUID(),
      hub_id: hub.id,
      candidate_id: randomUUID(),
      reporter_id: randomUUID(),
      widget_id: widget.id,
    };
    expect(await post(meToo)).toEqual({ status: 202, body: { id: meToo.id, status: 'accepted' } });
    expect((await post(meToo)).body).toEqual({ id: meToo.id, status: 'duplicate' });
    const events = await waitFor(
      async () => {
        const found = await bus.events(
          'IHF_INGESTION',
          'ihf.ingestion.me_too.submitted.v1',
          (e) => e.event_id === meToo.id,
        );
        return found.length > 0 ? found : undefined;
      },
      { timeoutMs: 15_000, message: 'the me too on IHF_INGESTION' },
    );
    await new Promise((r) => setTimeout(r, 500));
    expect(
      await bus.events(
        'IHF_INGESTION',
        'ihf.ingestion.me_too.submitted.v1',
        (e) => e.event_id === meToo.id,
      ),
    ).toHaveLength(1);
    expect(events[0]).toMatchObject({
      hub_id: hub.id,
      payload: {
        me_too_id: meToo.id,
        hub_id: hub.id,
        candidate_id: meToo.candidate_id,
        reporter_id: meToo.reporter_id,
        widget_id: widget.id,
      },
    });
  });

  it('asks feedback about the candidate: refuses one not in the hub, accepts one that is, and accepts when feedback is silent', async () => {
    const inHub = randomUUID();
    const elsewhere = randomUUID();
    const hubs = new Map<string, string>([
      [inHub, hub.id],
      [elsewhere, randomUUID()],
    ]);
    const asked: string[] = [];
    const stop = bus.respond<{ candidate_id: string }, CandidateGetResponseV1>(
      RpcPatterns.Feedback.CandidateGetV1,
      (data) => {
        asked.push(data.candidate_id);
        const hubId = hubs.get(data.candidate_id);
        return hubId
          ? {
              found: true,
              candidate: {
                candidate_id: data.candidate_id,
                hub_id: hubId,
                title: 'Total does not update',
                description: 'x',
                status: 'open',
                version: 1,
                source_widget_id: widget.id,
                source_thread_id: null,
                source_annotation_id: null,
                source_proposal_id: null,
                requirement_id: null,
                created_at: new Date().toISOString(),
              },
            }
          : { found: false, candidate: null };
      },
    );
    const body = (candidateId: string) => ({
      id: randomUUID(),
      hub_id: hub.id,
      candidate_id: candidateId,
      reporter_id: randomUUID(),
    });
    try {
      for (const candidateId of [randomUUID(), elsewhere]) {
        expect(await post(body(candidateId))).toMatchObject({
          status: 422,
          body: {
            code: 'INGESTION.ME_TOO_REFUSED',
            reason: 'unknown_candidate',
            field: 'candidate_id',
          },
        });
      }
      expect((await post(body(inHub))).status).toBe(202);
      expect(asked).toHaveLength(3);
    } finally {
      stop();
    }
    // Nobody answers: the durable path stays open (feedback's consumer checks again).
    expect((await post(body(randomUUID()))).status).toBe(202);
  });

  it("refuses another hub's id, an unknown widget or another hub's widget (422), and bad input (400)", async () => {
    const base = {
      id: randomUUID(),
      hub_id: hub.id,
      candidate_id: randomUUID(),
      reporter_id: randomUUID(),
    };
    const other = await f.createHub();
    const otherWidget = await f.createWidget(other.id);
    expect(await post({ ...base, hub_id: other.id })).toMatchObject({
      status: 422,
      body: { code: 'INGESTION.ME_TOO_REFUSED', reason: 'hub_mismatch', field: 'hub_id' },
    });
    expect(await post({ ...base, widget_id: randomUUID() })).toMatchObject({
      status: 422,
      body: { reason: 'unknown_widget' },
    });
    expect(await post({ ...base, widget_id: otherWidget.id })).toMatchObject({
      status: 422,
      body: { reason: 'widget_not_in_hub' },
    });
    expect((await post({ ...base, reporter_id: 'me' })).status).toBe(400);
    expect((await post({ ...base, extra: 1 })).status).toBe(400);
    expect((await post(base, 'ihf_nope_nope')).status).toBe(401);
    const stored = await f
      .em()
      .execute<{ n: string }[]>(
        `select count(*) as n from ingestion.outbox where subject = 'ihf.ingestion.me_too.submitted.v1' and id = ?`,
        [base.id],
      );
    expect(Number(stored[0].n)).toBe(0);
  });
});
