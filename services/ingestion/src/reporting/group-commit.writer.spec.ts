import { type EntityManager } from '@mikro-orm/postgresql';
import { type MetricsService } from '@ihf/observability';
import { Registry } from 'prom-client';
import { type IngestionConfig } from '../config/ingestion.config.js';
import { ClientGoneError } from '../common/client-gone.error.js';
import { StorageUnavailableError } from '../common/unavailable.error.js';
import { type EventRow, GroupCommitWriter } from './group-commit.writer.js';

type Execute = (sql: string, params: unknown[]) => Promise<{ id: string }[]>;

/** What the writer sent on its pooled connections, and how it gave them back. */
interface Session {
  readonly statements: string[];
  released?: 'returned' | 'destroyed';
}

function writer(
  execute: Execute,
  overrides: Partial<IngestionConfig> = {},
  sessions: Session[] = [],
) {
  // The writer's only use of the ORM: its pg pool, one transaction per group.
  const pool = {
    connect: () => {
      const session: Session = { statements: [] };
      sessions.push(session);
      return Promise.resolve({
        // Either plain text or a named statement's config ({ name, text, values }).
        query: async (
          query: string | { name: string; text: string; values: unknown[] },
          maybeParams?: unknown[],
        ) => {
          const sql = typeof query === 'string' ? query : query.text;
          const params = typeof query === 'string' ? maybeParams : query.values;
          session.statements.push(sql.split(/\s/)[0]);
          if (params === undefined) return { rows: [] };
          return { rows: await execute(sql, params) };
        },
        release: (destroy?: boolean) => {
          session.released = destroy ? 'destroyed' : 'returned';
        },
      });
    },
  };
  const em = {
    getConnection: () => ({ getNativeClient: () => Promise.resolve(pool) }),
  } as unknown as EntityManager;
  const config = {
    INGESTION_GROUP_COMMIT_MAX_WAIT_MS: 5,
    INGESTION_GROUP_COMMIT_MAX_ROWS: 1000,
    INGESTION_DB_WRITE_TIMEOUT_MS: 200,
    INGESTION_RETRY_AFTER_SEC: 7,
    ...overrides,
  } as IngestionConfig;
  const w = new GroupCommitWriter(em, config, { registry: new Registry() } as MetricsService);
  w.onModuleInit();
  return w;
}

const row = (id: string): EventRow => ({
  id,
  hub_id: 'h',
  widget_id: 'w',
  widget_version: 1,
  event_type: 'clicked',
  actor_id: null,
  actor_type: 'user',
  view_context_ref: null,
  metadata: {},
  occurred_at: '2026-11-27T10:00:00.000Z',
});

/** Inserts every id not in `stored`, like ON CONFLICT DO NOTHING RETURNING id. */
function fakeTable(stored: Set<string>, calls: EventRow[][]): Execute {
  return (_sql, params) => {
    const events = JSON.parse(params[1] as string) as EventRow[];
    calls.push(events);
    const inserted = events.filter((e) => !stored.has(e.id)).map((e) => ({ id: e.id }));
    for (const e of inserted) stored.add(e.id);
    return Promise.resolve(inserted);
  };
}

describe('GroupCommitWriter', () => {
  it('writes the events of concurrent submissions in one statement', async () => {
    const calls: EventRow[][] = [];
    const w = writer(fakeTable(new Set(['old']), calls));
    const [a, b] = await Promise.all([w.write([row('a1'), row('old')]), w.write([row('b1')])]);
    expect(calls).toHaveLength(1);
    expect(calls[0].map((e) => e.id)).toEqual(['a1', 'old', 'b1']);
    expect([...a]).toEqual([
      ['a1', 'accepted'],
      ['old', 'duplicate'],
    ]);
    expect([...b]).toEqual([['b1', 'accepted']]);
  });

  it('lets the first submission of an id in a group win; later ones are duplicates', async () => {
    const calls: EventRow[][] = [];
    const w = writer(fakeTable(new Set(), calls));
    const [first, second] = await Promise.all([w.write([row('x')]), w.write([row('x')])]);
    expect(calls[0].map((e) => e.id)).toEqual(['x']);
    expect(first.get('x')).toBe('accepted');
    expect(second.get('x')).toBe('duplicate');
  });

  it('leaves out a submission whose client went away while it waited, and writes the rest', async () => {
    const calls: EventRow[][] = [];
    const w = writer(fakeTable(new Set(), calls), { INGESTION_GROUP_COMMIT_MAX_WAIT_MS: 20 });
    const gone = new AbortController();
    const left = w.write([row('gone')], [], gone.signal);
    const kept = w.write([row('kept')], [], new AbortController().signal);
    gone.abort(); // after submitting, before the group's commit starts
    await expect(left).rejects.toBeInstanceOf(ClientGoneError);
    expect([...(await kept)]).toEqual([['kept', 'accepted']]);
    expect(calls.map((c) => c.map((e) => e.id))).toEqual([['kept']]);
    // A client already gone when it submits is refused without a statement.
    const late = new AbortController();
    late.abort();
    await expect(w.write([row('late')], [], late.signal)).rejects.toBeInstanceOf(ClientGoneError);
    expect(calls).toHaveLength(1);
  });

  it('flushes at once when the group is full', async () => {
    const calls: EventRow[][] = [];
    const w = writer(fakeTable(new Set(), calls), {
      INGESTION_GROUP_COMMIT_MAX_ROWS: 2,
      INGESTION_GROUP_COMMIT_MAX_WAIT_MS: 10_000,
    });
    await w.write([row('a'), row('b')]);
    expect(calls).toHaveLength(1);
  });

  it('isolates a submission that makes the statement fail', async () => {
    const stored = new Set<string>();
    const calls: EventRow[][] = [];
    const table = fakeTable(stored, calls);
    const w = writer((sql, params) => {
      const events = JSON.parse(params[1] as string) as EventRow[];
      if (events.some((e) => e.id === 'poison'))
        return Promise.reject(new Error('invalid input syntax'));
      return table(sql, params);
    });
    const results = await Promise.allSettled([w.write([row('good')]), w.write([row('poison')])]);
    expect(results[0]).toEqual({ status: 'fulfilled', value: new Map([['good', 'accepted']]) });
    expect(results[1].status).toBe('rejected');
    expect(stored.has('good')).toBe(true);
  });

  it('answers StorageUnavailableError when Postgres is unreachable or too slow', async () => {
    const refused = writer(() =>
      Promise.reject(Object.assign(new Error('connect'), { code: 'ECONNREFUSED' })),
    );
    await expect(refused.write([row('a')])).rejects.toBeInstanceOf(StorageUnavailableError);
    const slow = writer(() => new Promise(() => undefined));
    await expect(slow.write([row('a')])).rejects.toMatchObject({
      retryAfterSeconds: 7,
      status: 503,
    });
  });

  it('never commits a write whose caller was already answered 503', async () => {
    const sessions: Session[] = [];
    let finish!: (rows: { id: string }[]) => void;
    const w = writer(
      () => new Promise((resolve) => (finish = resolve)),
      { INGESTION_DB_WRITE_TIMEOUT_MS: 50 },
      sessions,
    );
    await expect(w.write([row('late')])).rejects.toBeInstanceOf(StorageUnavailableError);
    // The connection is given up at the timeout; the insert's late answer must not commit.
    expect(sessions[0].released).toBe('destroyed');
    finish([{ id: 'late' }]);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(sessions[0].statements).toEqual(['begin;', 'with']);
  });

  it('commits in time, and returns the connection', async () => {
    const sessions: Session[] = [];
    const w = writer(fakeTable(new Set(), []), {}, sessions);
    await w.write([row('a')]);
    expect(sessions).toEqual([{ statements: ['begin;', 'with', 'commit'], released: 'returned' }]);
  });

  it('answers 503 when the server cancels the write (statement timeout)', async () => {
    const w = writer(() =>
      Promise.reject(Object.assign(new Error('canceling statement'), { code: '57014' })),
    );
    await expect(w.write([row('a')])).rejects.toBeInstanceOf(StorageUnavailableError);
  });
});
