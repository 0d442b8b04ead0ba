import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Client } from 'pg';
import { TcpProxy, waitFor } from '@ihf/testing';
import { IngestionFixture } from './ingestion-fixture.js';

const WRITE_TIMEOUT_MS = 1500;
/** Group-commit wait, scheduling on a busy shared machine. */
const MARGIN_MS = 1500;

/**
 * Issue 11, "Under faults": when Postgres stops answering, ingestion answers 503 after its
 * write timeout, and the write it gave up on must not commit afterwards (a 503 means "outcome
 * unknown, resend with the same ids"; here it is known: not stored).
 */
describe('ingestion: a write answered 503 after its timeout never commits later', () => {
  let f: IngestionFixture;
  let pgProxy: TcpProxy;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };

  beforeAll(async () => {
    f = await IngestionFixture.start(
      {
        INGESTION_DB_WRITE_TIMEOUT_MS: String(WRITE_TIMEOUT_MS),
        // Key and widget stay cached, so the silent link only meets the write itself.
        INGESTION_API_KEY_CACHE_TTL_MS: '300000',
        INGESTION_WIDGET_CACHE_TTL_MS: '300000',
      },
      (env) => ({ databaseUrl: pgProxy.rewrite(env.databaseUrl) }),
      async (env) => {
        pgProxy = await TcpProxy.forUrl(env.databaseUrl, 5432);
      },
    );
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
    expect((await post([event()])).status).toBe(202);
  });
  afterAll(async () => {
    pgProxy?.restore();
    await f?.stop();
    await pgProxy?.close();
  });

  function event(): Record<string, unknown> {
    return {
      id: randomUUID(),
      widget_id: widget.id,
      hub_id: hub.id,
      event_type: 'clicked',
      occurred_at: new Date().toISOString(),
    };
  }

  async function post(events: unknown[]) {
    const res = await f.app.inject({
      method: 'POST',
      url: '/api/v1/interaction-events',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      payload: JSON.stringify(events),
    });
    return { status: res.statusCode, body: JSON.parse(res.body) as Record<string, unknown> };
  }

  /** Straight to Postgres, around the proxy. */
  async function sql<T>(text: string, params: unknown[] = []): Promise<T[]> {
    const client = new Client({ connectionString: f.env.databaseUrl });
    await client.connect();
    try {
      return (await client.query(text, params)).rows as T[];
    } finally {
      await client.end();
    }
  }

  async function stored(id: string): Promise<boolean> {
    return (await sql('select 1 from ingestion.interaction_events where id = $1', [id])).length > 0;
  }

  /** Until no session of this database is inside a write (running it, or before its commit). */
  async function writesSettled(): Promise<void> {
    await waitFor(
      async () =>
        (
          await sql(
            `select 1 from pg_stat_activity
             where datname = current_database() and pid <> pg_backend_pid()
               and state in ('active', 'idle in transaction', 'idle in transaction (aborted)')
               and query like '%interaction_events%'`,
          )
        ).length === 0 || undefined,
      { timeoutMs: 10_000, message: 'no write in progress' },
    );
  }

  async function timedPost(events: unknown[]) {
    const started = Date.now();
    const res = await post(events);
    return { ...res, elapsedMs: Date.now() - started };
  }

  it('cancels the insert Postgres holds (a lock) instead of letting it commit once released', async () => {
    const e = event();
    const locker = new Client({ connectionString: f.env.databaseUrl });
    await locker.connect();
    try {
      await locker.query('begin');
      await locker.query('lock table ingestion.interaction_events in share mode');
      const res = await timedPost([e]);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('INGESTION.STORAGE_UNAVAILABLE');
      expect(res.elapsedMs).toBeGreaterThanOrEqual(WRITE_TIMEOUT_MS - 50);
      expect(res.elapsedMs).toBeLessThan(WRITE_TIMEOUT_MS + MARGIN_MS);
    } finally {
      // Without the cancel, the held insert proceeds and commits right here.
      await locker.query('rollback');
      await locker.end();
    }
    await writesSettled();
    expect(await stored(e.id)).toBe(false);
    // The honest contract: resend with the same id; it is stored once.
    const again = await post([e]);
    expect(again.status).toBe(202);
    expect(again.body).toMatchObject({ accepted: 1, duplicate: 0 });
  });

  it('answers 503 on a silent link, and the write it held does not commit when the link returns', async () => {
    const e = event();
    pgProxy.blackHole();
    try {
      const res = await timedPost([e]);
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('INGESTION.STORAGE_UNAVAILABLE');
      expect(res.elapsedMs).toBeLessThan(WRITE_TIMEOUT_MS + MARGIN_MS);
    } finally {
      // Delivers what the link held, as TCP retransmission would: the write reaches Postgres.
      pgProxy.restore();
    }
    // Long enough for the held bytes to be processed (and any server-side limit to fire).
    await sleep(WRITE_TIMEOUT_MS);
    await writesSettled();
    expect(await stored(e.id)).toBe(false);
    const again = await waitFor(
      async () => {
        const r = await post([e]);
        return r.status === 202 ? r : undefined;
      },
      { timeoutMs: 15_000, message: 'accepted again once Postgres answers' },
    );
    expect(again.body).toMatchObject({ accepted: 1, duplicate: 0 });
  });
});
