import { randomUUID } from 'node:crypto';
import { Webhook } from 'standardwebhooks';
import { waitFor } from '@ihf/testing';
import {
  NotificationsTestApp,
  type Received,
  user,
  WebhookReceiver,
} from './notifications-test-app.js';

// Outbound webhooks end to end: endpoints managed over HTTP, events from the bus, deliveries to
// receivers on loopback (named by the allow-list) that verify every delivery with the
// `standardwebhooks` reference implementation, not with our code.

const HUB = randomUUID();
const STATUS_CHANGED = 'ihf.feedback.candidate.status_changed.v1';

interface Endpoint {
  id: string;
  secret: string;
  status: string;
  previous_secret_valid_until: string | null;
}
interface Delivery {
  id: string;
  event_id: string;
  status: string;
  attempts: number;
  last_status_code: number | null;
  last_response_ms: number | null;
  replay_of: string | null;
}

/** Verifies with the reference implementation; throws when the signature does not match. */
const verify = (secret: string, r: Received): unknown =>
  new Webhook(secret).verify(r.body, r.headers as Record<string, string>);

describe('notifications: signed outbound webhooks', () => {
  let t: NotificationsTestApp;
  const admin = user(['admin'], [HUB]);
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await NotificationsTestApp.start({
      WEBHOOK_RETRY_BASE_MS: '200',
      WEBHOOK_RETRY_MAX_DELAY_MS: '400',
      WEBHOOK_RETRY_HORIZON_MS: '4000',
    });
    await t.announceUser(admin);
  });
  afterAll(async () => {
    for (const r of receivers) await r.close();
    await t?.close();
  });

  const receiver = async (): Promise<WebhookReceiver> => {
    const r = await WebhookReceiver.start();
    receivers.push(r);
    return r;
  };

  const createEndpoint = async (url: string, eventTypes = [STATUS_CHANGED]): Promise<Endpoint> => {
    const res = await t.request<Endpoint>('POST', `/api/v1/hubs/${HUB}/webhooks`, {
      user: admin,
      body: { url, event_types: eventTypes, description: 'test receiver' },
    });
    if (res.status !== 201) throw new Error(JSON.stringify(res.body));
    return res.body;
  };

  /** A status change in the hub (the fan-out consumer only sees events published from now on). */
  const event = async (hubId = HUB) => t.statusChanged(hubId, randomUUID(), 'accepted', 2);

  const deliveries = async (endpointId: string): Promise<Delivery[]> =>
    (
      await t.request<{ items: Delivery[] }>(
        'GET',
        `/api/v1/hubs/${HUB}/webhooks/${endpointId}/deliveries`,
        { user: admin },
      )
    ).body.items;

  const untilDelivered = (endpointId: string, n = 1) =>
    waitFor(
      async () => {
        const all = await deliveries(endpointId);
        return all.filter((d) => d.status === 'delivered').length >= n ? all : undefined;
      },
      { timeoutMs: 20_000, message: `${n} delivered to ${endpointId}` },
    );

  it('delivers a subscribed event once, signed per Standard Webhooks, and logs status and response time', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    expect(endpoint.secret).toMatch(/^whsec_/);
    const e = await event();
    // An event of another hub and one of a type not subscribed: not delivered.
    await event(randomUUID());
    await t.publish(
      'ihf.feedback.candidate.assigned.v1',
      {
        candidate_id: randomUUID(),
        reviewer_id: randomUUID(),
        previous_reviewer_id: null,
        assigned_by: null,
        assigned_at: new Date().toISOString(),
      },
      { hubId: HUB },
    );
    const [d] = await untilDelivered(endpoint.id);
    expect(r.received).toHaveLength(1);
    const [got] = r.received;
    expect(got.headers['webhook-id']).toBe(e.event_id);
    expect(verify(endpoint.secret, got)).toMatchObject({
      type: STATUS_CHANGED,
      event_id: e.event_id,
      hub_id: HUB,
      data: { to: 'accepted' },
    });
    // Another secret does not verify it.
    expect(() => verify(`whsec_${Buffer.alloc(32, 9).toString('base64')}`, got)).toThrow();
    expect(d).toMatchObject({ event_id: e.event_id, attempts: 1, last_status_code: 204 });
    expect(d.last_response_ms).toBeGreaterThanOrEqual(0);
    const detail = await t.request<{ attempts_log: { status_code: number }[] }>(
      'GET',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/deliveries/${d.id}`,
      { user: admin },
    );
    expect(detail.body.attempts_log).toMatchObject([{ status_code: 204 }]);
  });

  it('signs with both secrets during a rotation overlap', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const rotated = await t.request<Endpoint>(
      'POST',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/rotate-secret`,
      { user: admin },
    );
    expect(rotated.status).toBe(200);
    expect(rotated.body.secret).not.toBe(endpoint.secret);
    expect(rotated.body.previous_secret_valid_until).not.toBeNull();
    await event();
    await untilDelivered(endpoint.id);
    const [got] = r.received;
    expect(String(got.headers['webhook-signature']).split(' ')).toHaveLength(2);
    // A receiver still on the old secret and one already on the new both verify it.
    expect(verify(endpoint.secret, got)).toMatchObject({ type: STATUS_CHANGED });
    expect(verify(rotated.body.secret, got)).toMatchObject({ type: STATUS_CHANGED });
  });

  it('retries a failing receiver with back-off until it recovers: accepted once, in the end', async () => {
    const r = await receiver();
    let calls = 0;
    r.answer = () => (++calls <= 2 ? 500 : 204);
    const endpoint = await createEndpoint(r.url);
    const e = await event();
    const [d] = await untilDelivered(endpoint.id);
    expect(d).toMatchObject({ attempts: 3, last_status_code: 204 });
    expect(r.received).toHaveLength(3);
    // Every attempt carries the same webhook-id and verifies; one of them was accepted.
    for (const got of r.received) {
      expect(got.headers['webhook-id']).toBe(e.event_id);
      expect(verify(endpoint.secret, got)).toBeTruthy();
    }
    await new Promise((res) => setTimeout(res, 1_000));
    expect(r.received).toHaveLength(3);
    const log = await t.request<{ attempts_log: { status_code: number }[] }>(
      'GET',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/deliveries/${d.id}`,
      { user: admin },
    );
    expect(log.body.attempts_log.map((a) => a.status_code)).toEqual([500, 500, 204]);
  });

  it('does not follow a redirect, and disables an endpoint that failed throughout the horizon (owner told)', async () => {
    const r = await receiver();
    r.answer = () => 302;
    const endpoint = await createEndpoint(r.url);
    await event();
    const failed = await waitFor(
      async () => {
        const [d] = await deliveries(endpoint.id);
        return d?.status === 'failed' ? d : undefined;
      },
      { timeoutMs: 25_000, message: 'the delivery fails for good' },
    );
    expect(failed.last_status_code).toBe(302);
    expect(failed.attempts).toBeGreaterThan(2);
    // Every request went to the receiver's path, none to the redirect's target.
    expect(r.received.length).toBe(failed.attempts);
    const got = await t.request<Endpoint & { disabled_reason: string }>(
      'GET',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}`,
      { user: admin },
    );
    expect(got.body).toMatchObject({ status: 'disabled' });
    expect(got.body.disabled_reason).toMatch(/retry horizon/);
    const inbox = await t.request<{ items: { title: string; body: string }[] }>(
      'GET',
      '/api/v1/inbox',
      { user: admin },
    );
    expect(inbox.body.items.map((i) => i.title)).toContain('A webhook endpoint was disabled');
    // A disabled endpoint receives nothing; set active again, it does.
    const before = r.received.length;
    await event();
    await new Promise((res) => setTimeout(res, 1_000));
    expect(r.received.length).toBe(before);
    r.answer = () => 200;
    const again = await t.request<Endpoint>(
      'PATCH',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}`,
      {
        user: admin,
        body: { status: 'active' },
      },
    );
    expect(again.body.status).toBe('active');
    await event();
    await untilDelivered(endpoint.id);
  });

  it('refuses private, loopback and link-local destinations the allow-list does not name', async () => {
    for (const url of [
      'http://169.254.169.254/latest/meta-data',
      'http://10.1.2.3/hook',
      'http://192.168.0.10/hook',
      'http://[::1]:8080/hook',
      'http://[fd00::5]/hook',
      'http://[::ffff:10.0.0.1]/hook',
      'http://127.0.0.2:8080/hook',
    ]) {
      const res = await t.request('POST', `/api/v1/hubs/${HUB}/webhooks`, {
        user: admin,
        body: { url, event_types: [STATUS_CHANGED] },
      });
      expect({ url, status: res.status, body: res.body }).toMatchObject({
        url,
        status: 422,
        body: { code: 'NOTIFICATIONS.WEBHOOK_DESTINATION_REFUSED' },
      });
    }
    expect(
      await t.sql('select url from notifications.webhook_endpoints where url like $1', [
        '%169.254%',
      ]),
    ).toEqual([]);
  });

  it('replays one delivery and a time range, with the same webhook-id', async () => {
    const r = await receiver();
    const endpoint = await createEndpoint(r.url);
    const start = new Date(Date.now() - 1_000).toISOString();
    const e1 = await event();
    const e2 = await event();
    const [first] = (await untilDelivered(endpoint.id, 2)).filter(
      (d) => d.event_id === e1.event_id,
    );
    const replay = await t.request<Delivery>(
      'POST',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/deliveries/${first.id}/replay`,
      { user: admin },
    );
    expect(replay).toMatchObject({ status: 202, body: { replay_of: first.id, status: 'pending' } });
    await untilDelivered(endpoint.id, 3);
    expect(r.received.map((x) => x.headers['webhook-id'])).toEqual([
      expect.any(String),
      expect.any(String),
      e1.event_id,
    ]);
    const range = await t.request<{ replayed: number }>(
      'POST',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/replay`,
      { user: admin, body: { from: start, to: new Date(Date.now() + 60_000).toISOString() } },
    );
    // The two originals, not the replay.
    expect(range).toMatchObject({ status: 202, body: { replayed: 2 } });
    await untilDelivered(endpoint.id, 5);
    expect(r.received.filter((x) => x.headers['webhook-id'] === e2.event_id)).toHaveLength(2);
    for (const got of r.received) expect(verify(endpoint.secret, got)).toBeTruthy();
    const backwards = await t.request(
      'POST',
      `/api/v1/hubs/${HUB}/webhooks/${endpoint.id}/replay`,
      { user: admin, body: { from: new Date().toISOString(), to: start } },
    );
    expect(backwards).toMatchObject({
      status: 422,
      body: { code: 'NOTIFICATIONS.REPLAY_RANGE_INVALID' },
    });
  });

  it('lets only admins manage endpoints', async () => {
    for (const who of [user(['governor'], [HUB]), user(['viewer', 'triager'], [HUB])]) {
      const res = await t.request('GET', `/api/v1/hubs/${HUB}/webhooks`, { user: who });
      expect(res).toMatchObject({ status: 403, body: { code: 'AUTH.ROLE_REQUIRED' } });
    }
    const list = await t.request<{ items: Endpoint[] }>('GET', `/api/v1/hubs/${HUB}/webhooks`, {
      user: admin,
    });
    expect(list.body.items.length).toBeGreaterThan(0);
    expect(JSON.stringify(list.body)).not.toContain('whsec_');
    const unknownType = await t.request('POST', `/api/v1/hubs/${HUB}/webhooks`, {
      user: admin,
      body: { url: 'https://example.com/hook', event_types: ['ihf.identity.user.created.v1'] },
    });
    expect(unknownType.status).toBe(400);
  });
});
