import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { percentile } from './support/percentile.js';
import type { StormAnswer } from './support/connection-storm.js';
import { IngestionFixture } from './ingestion-fixture.js';

const run = promisify(execFile);

/** New connections opened at once by the storm process. */
const STORM = 2000;
/** What the test calls "answered in time": generous, the machine running it is shared. */
const ANSWER_WITHIN_MS = 20_000;

/**
 * A connection storm against the real service over real sockets: thousands of new connections
 * at once, from a separate process (the clients must not share the service's event loop). Every
 * request is answered 202, 429 or 503 + Retry-After, none left hanging; the connections beyond
 * `INGESTION_MAX_CONNECTIONS` are refused at once (`reason: connections`) and closed; what was
 * acknowledged is stored and nothing refused is.
 */
describe('reporting under a connection storm', () => {
  let f: IngestionFixture;
  let port: number;
  let hub: { id: string };
  let key: string;
  let widget: { id: string };

  beforeAll(async () => {
    f = await IngestionFixture.start({
      INGESTION_MAX_CONNECTIONS: '200',
      INGESTION_MAX_IN_FLIGHT_REQUESTS: '64',
    });
    await f.app.listen(0, '127.0.0.1');
    port = Number(new URL(await f.app.getUrl()).port);
    hub = await f.createHub();
    key = (await f.createKey(hub.id)).key;
    widget = await f.createWidget(hub.id);
  });
  afterAll(async () => {
    await f?.stop();
  });

  async function stored(ids: string[]): Promise<number> {
    if (ids.length === 0) return 0;
    const [row] = await f
      .em()
      .execute<{ n: string }[]>(
        'select count(*) as n from ingestion.interaction_events where id = any(?::uuid[])',
        [`{${ids.join(',')}}`],
      );
    return Number(row.n);
  }

  it(`answers every one of ${STORM} simultaneous new connections with 202, 429 or 503 + Retry-After`, async () => {
    const { stdout } = await run(
      process.execPath,
      [
        join(__dirname, 'support', 'connection-storm.ts'),
        JSON.stringify({
          port,
          key,
          hubId: hub.id,
          widgetId: widget.id,
          count: STORM,
          timeoutMs: ANSWER_WITHIN_MS,
        }),
      ],
      { maxBuffer: 16 * 1024 * 1024 },
    );
    const answers = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as StormAnswer);
    expect(answers).toHaveLength(STORM);
    const byStatus = new Map<number, number>();
    for (const a of answers) byStatus.set(a.status, (byStatus.get(a.status) ?? 0) + 1);
    // No request without an answer (status 0), none answered anything else.
    expect([...byStatus.keys()].filter((s) => ![202, 429, 503].includes(s))).toEqual([]);
    const refused = answers.filter((a) => a.status !== 202);
    expect(refused.filter((a) => a.retryAfter === null)).toEqual([]);
    // The connections beyond the bound were refused before their requests were worked on.
    expect(refused.filter((a) => a.reason === 'connections').length).toBeGreaterThan(0);
    expect(Math.max(...answers.map((a) => a.ms))).toBeLessThan(ANSWER_WITHIN_MS);
    const accepted = answers.filter((a) => a.status === 202);
    expect(accepted.length).toBeGreaterThan(0);
    expect(await stored(accepted.map((a) => a.id))).toBe(accepted.length);
    expect(await stored(refused.map((a) => a.id))).toBe(0);
    // For the report: how the answers were spread (not asserted beyond the bound above).
    const ms = answers.map((a) => a.ms).sort((a, b) => a - b);
    console.info(
      `storm of ${STORM}: ${JSON.stringify(Object.fromEntries(byStatus))}, p50 ${percentile(ms, 0.5).toFixed(0)} ms, p99 ${percentile(ms, 0.99).toFixed(0)} ms, max ${ms[ms.length - 1].toFixed(0)} ms`,
    );
    // The service serves normally once the storm has passed.
    const after = await fetch(`http://127.0.0.1:${port}/health/ready`);
    expect(after.status).toBe(200);
  });
});
