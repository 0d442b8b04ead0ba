import { randomUUID } from 'node:crypto';
import { connect } from 'node:net';
import { Client } from 'pg';
import { IngestionFixture } from './ingestion-fixture.js';

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A request whose client closed its connection before its group commit started writes nothing
 * (events of clients that gave up are not stored for nobody's answer), while the requests
 * grouped with it are written as usual. The commit is held deterministically: both flush slots
 * are blocked on a row lock this test holds, so later requests wait in the writer's queue.
 */
describe('a request aborted before the commit', () => {
  let f: IngestionFixture;
  let base: string;
  let port: number;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };
  let locker: Client;
  /** Reads pg_stat_activity outside the locker's transaction (which would see one snapshot). */
  let watcher: Client;

  beforeAll(async () => {
    f = await IngestionFixture.start({
      INGESTION_GROUP_COMMIT_MAX_WAIT_MS: '0',
      // The held flushes must not time out while the test looks at the queue behind them.
      INGESTION_DB_WRITE_TIMEOUT_MS: '60000',
    });
    await f.app.listen(0, '127.0.0.1');
    base = (await f.app.getUrl()).replace('[::1]', '127.0.0.1');
    port = Number(new URL(base).port);
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
    locker = new Client({ connectionString: f.env.databaseUrl });
    await locker.connect();
    watcher = new Client({ connectionString: f.env.databaseUrl });
    await watcher.connect();
  });
  afterAll(async () => {
    await locker?.end();
    await watcher?.end();
    await f?.stop();
  });

  const event = (id = randomUUID()) => ({
    id,
    widget_id: widget.id,
    hub_id: hub.id,
    event_type: 'clicked',
    occurred_at: new Date().toISOString(),
  });

  const post = (body: unknown) =>
    fetch(`${base}/api/v1/interaction-events`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });

  async function stored(ids: string[]): Promise<number> {
    const [row] = await f
      .em()
      .execute<{ n: string }[]>(
        'select count(*) as n from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
    return Number(row.n);
  }

  /** Inserts waiting on a lock in this test's database (the held flushes). */
  async function blockedInserts(): Promise<number> {
    const { rows } = await watcher.query<{ n: string }>(
      `select count(*) as n from pg_stat_activity
       where datname = current_database() and wait_event_type = 'Lock' and query like '%interaction_events%'`,
    );
    return Number(rows[0].n);
  }

  async function until(what: string, check: () => Promise<boolean>, ms = 20_000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await sleep(25);
    }
  }

  async function abandonedCount(): Promise<number> {
    const metrics = (await f.app.inject({ method: 'GET', url: '/metrics' })).body;
    return Number(/^ihf_ingestion_abandoned_writes_total(?:\{[^}]*\})? (\d+)/m.exec(metrics)?.[1]);
  }

  it('leaves out the events of a closed connection and writes the rest of its group', async () => {
    // An uncommitted row with the id that two requests report: each of their flushes waits.
    const held = randomUUID();
    await locker.query('begin');
    await locker.query(
      `insert into ingestion.interaction_events
         (id, hub_id, widget_id, widget_version, event_type, actor_type, metadata, occurred_at)
       values ($1, $2, $3, 1, 'clicked', 'user', '{}', now())`,
      [held, hub.id, widget.id],
    );
    const first = post(event(held));
    await until('the first flush to block', async () => (await blockedInserts()) >= 1);
    const second = post([event(held), event()]);
    await until('the second flush to block', async () => (await blockedInserts()) >= 2);
    const before = await abandonedCount();

    // Both flush slots are taken: these two wait in the writer's queue.
    const gone = event();
    const socket = connect(port, '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    const body = JSON.stringify(gone);
    socket.write(
      'POST /api/v1/interaction-events HTTP/1.1\r\nhost: 127.0.0.1\r\n' +
        `authorization: Bearer ${key}\r\ncontent-type: application/json\r\n` +
        `content-length: ${Buffer.byteLength(body)}\r\n\r\n${body}`,
    );
    const kept = event();
    const keptAnswer = post(kept);
    // Time for both to be validated and queued (the flushes stay blocked meanwhile).
    await sleep(1500);
    socket.destroy();
    await sleep(500);
    expect(await blockedInserts()).toBe(2);

    await locker.query('rollback');
    expect((await first).status).toBe(202);
    expect((await second).status).toBe(202);
    expect((await keptAnswer).status).toBe(202);
    expect(await stored([kept.id])).toBe(1);
    expect(await stored([gone.id])).toBe(0);
    expect((await abandonedCount()) - before).toBe(1);
    // Nothing of it was written later either.
    await sleep(300);
    expect(await stored([gone.id])).toBe(0);
  });

  it('writes a request whose client stays connected (the control)', async () => {
    const e = event();
    expect((await post(e)).status).toBe(202);
    expect(await stored([e.id])).toBe(1);
  });
});
