import { randomUUID } from 'node:crypto';
import { Pool } from 'pg';
import { migrateSchema } from '@ihf/persistence';
import { createTestEnvironment, TestBus, type TestEnvironment, waitFor } from '@ihf/testing';
import { jetstreamManager } from '@nats-io/jetstream';
import { STREAMS } from '@ihf/contracts';
import { provisionStreams, silentLogger } from '@ihf/messaging';
import { deploymentOrmSettings } from '../src/database/deployment-orm.settings.js';
import { INTERACTION_FEED, type InteractionItem } from '../src/rollups/interaction-rollup.feed.js';
import { RollupConsumer } from '../src/rollups/rollup-consumer.js';

// The interaction rollup against real NATS and Postgres: a consumer that dies mid-batch, a
// restart, and two readers of one feed at once still count every event exactly once.

const HUB = randomUUID();
const WIDGETS = [randomUUID(), randomUUID()];
const TYPES = ['view', 'click', 'submit'];
const EVENTS = 600;

describe('deployment-outcomes: interaction rollup, exactly once', () => {
  let env: TestEnvironment;
  let bus: TestBus;
  let pool: Pool;

  beforeAll(async () => {
    env = await createTestEnvironment();
    await migrateSchema(deploymentOrmSettings(env.databaseUrl));
    bus = await TestBus.connect(env.natsUrl, env.natsNamespace);
    pool = new Pool({ connectionString: env.databaseUrl, max: 4 });
    // Ingestion owns IHF_EVENTS; here no ingestion runs, so the test declares it.
    await provisionStreams(
      await jetstreamManager(bus.nc),
      env.natsNamespace,
      [STREAMS.IHF_EVENTS],
      'owner',
    );
    const base = Date.parse('2026-12-07T10:00:00.000Z');
    for (let i = 0; i < EVENTS; i++) {
      await bus.publish(
        'ihf.ingestion.interaction.recorded.v1',
        {
          event_id: randomUUID(),
          hub_id: HUB,
          widget_id: WIDGETS[i % 2],
          widget_version: 1 + (i % 2),
          event_type: TYPES[i % 3],
          actor_id: null,
          actor_type: 'user',
          view_context_ref: null,
          // Five sessions, each seen many times.
          metadata: { session_id: `s${i % 5}` },
          occurred_at: new Date(base + (i % 4) * 60_000 + 1_000).toISOString(),
          received_at: new Date(base).toISOString(),
        },
        { hubId: HUB },
      );
    }
  }, 120_000);

  afterAll(async () => {
    await pool?.end();
    await bus?.close();
    await env?.teardown();
  });

  const consumer = (
    beforeCommit?: (lastSeq: number) => Promise<void>,
  ): RollupConsumer<InteractionItem> =>
    new RollupConsumer({
      feed: INTERACTION_FEED,
      js: bus.js,
      pool,
      namespace: env.natsNamespace,
      batchSize: 50,
      logger: silentLogger,
      beforeCommit: beforeCommit ? (_client, lastSeq) => beforeCommit(lastSeq) : undefined,
    });

  const totals = async () =>
    (
      await pool.query<{ events: string; sessions: string; rows: string }>(
        `select sum(events) as events, sum(sessions) as sessions, count(*) as rows
         from deployment.interaction_rollups`,
      )
    ).rows[0];
  const watermark = async () =>
    Number(
      (
        await pool.query<{ stream_seq: string }>(
          `select stream_seq from deployment.rollup_watermarks where feed = 'interactions'`,
        )
      ).rows[0]?.stream_seq ?? 0,
    );

  it('counts every event once after a consumer died mid-batch, a restart and two readers at once', async () => {
    // 1. A consumer that commits two batches, then dies inside the third transaction.
    let batches = 0;
    const dying = consumer(() => {
      batches++;
      return batches >= 3 ? Promise.reject(new Error('killed mid-batch')) : Promise.resolve();
    });
    await dying.start();
    await waitFor(() => Promise.resolve(batches >= 3 ? true : undefined), {
      timeoutMs: 20_000,
      message: 'third batch',
    });
    await dying.stop();
    // What the two committed batches counted, and nothing of the third.
    const committed = await watermark();
    expect(committed).toBeGreaterThan(0);
    expect(committed).toBeLessThan(EVENTS);
    expect(Number((await totals()).events)).toBe(committed);

    // 2. Restarted twice at once (two replicas): both read from the watermark.
    const a = consumer();
    const b = consumer();
    await Promise.all([a.start(), b.start()]);
    await waitFor(async () => ((await watermark()) >= EVENTS ? true : undefined), {
      timeoutMs: 60_000,
      message: 'all events applied',
    });
    await Promise.all([a.stop(), b.stop()]);

    // 3. A third start finds nothing new.
    const c = consumer();
    await c.start();
    await new Promise((r) => setTimeout(r, 1_500));
    await c.stop();

    const t = await totals();
    expect(Number(t.events)).toBe(EVENTS);
    // 2 widgets (each with its own version) × 3 types × 2 minutes each, as published.
    expect(Number(t.rows)).toBe(2 * 3 * 2);
    const perRow = await pool.query<{ events: string; sessions: string }>(
      `select events, sessions from deployment.interaction_rollups
       where widget_id = $1 and event_type = 'view' and minute = '2026-12-07T10:00:00Z'`,
      [WIDGETS[0]],
    );
    // i ≡ 0 (mod 2), ≡ 0 (mod 3), ≡ 0 (mod 4): i ≡ 0 (mod 12) → 50 events; their sessions
    // i mod 5 take all 5 values.
    expect(perRow.rows).toEqual([{ events: '50', sessions: '5' }]);
    const sessions = await pool.query<{ n: string }>(
      `select count(*) as n from deployment.interaction_sessions`,
    );
    expect(Number(t.sessions)).toBe(Number(sessions.rows[0].n));
    expect(await watermark()).toBe(EVENTS);
    // The hourly sums hold the same events (all in one hour here), row for row.
    const hourly = await pool.query<{ events: string; rows: string }>(
      `select sum(events) as events, count(*) as rows from deployment.interaction_rollups_hourly`,
    );
    expect(hourly.rows[0]).toEqual({ events: String(EVENTS), rows: String(2 * 3) });
  }, 120_000);
});
