// The entry of a table tail relay's worker thread (started by `TableTailThread`; not exported
// from the library). Everything it needs arrives as `workerData`; credentials come from the
// same environment as the host's (`natsSecurityOptions`).
import { parentPort, workerData } from 'node:worker_threads';
import { Pool, types as pgTypes } from 'pg';
import { startTracing } from '@ihf/observability/tracing';
import { natsSecurityOptions } from '../auth/nats-credentials.js';
import { type Logger } from '../logger.js';
import { connectNats } from '../nats/nats-connection.js';
import { TableTailRelay, type TableTailDefinition } from './table-tail-relay.js';
import { type TableTailThreadData, type TableTailThreadMessage } from './table-tail-thread.js';

const LEADERSHIP_REPORT_MS = 200;
const TIMESTAMPTZ_OID = 1184;

/** pg's parsers, except timestamptz, which stays text (the thread's sessions are in UTC). */
function textTimestamps(oid: number, format?: 'text' | 'binary'): (value: string) => unknown {
  if (oid === TIMESTAMPTZ_OID && format !== 'binary') return (value) => value;
  return pgTypes.getTypeParser(oid, format ?? 'text') as (value: string) => unknown;
}

function post(message: TableTailThreadMessage): void {
  parentPort!.postMessage(message);
}

/** Log lines go to the host's logger (one format, one destination, the host's level). */
const logger: Logger = Object.fromEntries(
  (['debug', 'info', 'warn', 'error'] as const).map((level) => [
    level,
    (obj: object, msg?: string) => {
      const plain = Object.fromEntries(
        Object.entries(obj).map(([k, v]) => [
          k,
          v instanceof Error ? { message: v.message, stack: v.stack, name: v.name } : v,
        ]),
      );
      try {
        post({ type: 'log', level, obj: plain, msg });
      } catch {
        post({ type: 'log', level, obj: { detail: String(JSON.stringify(plain)) }, msg });
      }
    },
  ]),
) as unknown as Logger;

async function main(data: TableTailThreadData): Promise<void> {
  // Spans of this thread (one per relayed batch) are exported by its own SDK instance, when
  // the OTEL_* variables ask for tracing, as in the host.
  startTracing({ service: data.service });
  const loaded = (await import(data.definition.module)) as Record<string, unknown>;
  // A CommonJS module's named exports, or its default export's (how `import()` sees it).
  const definition = (loaded[data.definition.exportName] ??
    (loaded.default as Record<string, unknown> | undefined)?.[data.definition.exportName]) as
    TableTailDefinition | undefined;
  if (!definition?.toMessage)
    throw new Error(
      `${data.definition.module} exports no table tail '${data.definition.exportName}'`,
    );
  const pool = new Pool({
    connectionString: data.databaseUrl,
    max: 2,
    application_name: `${data.service}:tail:${definition.table}`,
    // Times stay Postgres' text in UTC (`2026-12-07 06:13:51.123456+00`): a definition turns
    // them into ISO 8601 without a Date per column (see `pgTimestampToIso`).
    options: '-c TimeZone=UTC',
    types: { getTypeParser: textTimestamps },
  });
  pool.on('error', (error) =>
    logger.warn({ err: error }, 'table tail thread: idle connection failed'),
  );
  const nc = await connectNats(
    data.natsUrl,
    `${data.service}:tail:${definition.table}`,
    natsSecurityOptions(data.service),
  );
  const relay = new TableTailRelay({
    ...definition,
    schema: data.schema,
    sql: pool,
    databaseUrl: data.databaseUrl,
    nc,
    namespace: data.namespace,
    logger,
    leaseMs: data.leaseMs,
    pollIntervalMs: data.pollIntervalMs,
    coalesceMs: data.coalesceMs,
    onPublished: (count) => post({ type: 'published', count }),
    onSetAside: (count) => post({ type: 'set_aside', count }),
  });
  await relay.start();
  let leading = false;
  const leadership = setInterval(() => {
    if (relay.isLeader !== leading) {
      leading = relay.isLeader;
      post({ type: 'leader', leading });
    }
  }, LEADERSHIP_REPORT_MS);
  parentPort!.on('message', (message: { type?: string }) => {
    if (message?.type === 'wake') relay.wake();
    if (message?.type !== 'stop') return;
    clearInterval(leadership);
    void (async () => {
      await relay.stop();
      post({ type: 'leader', leading: false });
      await nc.drain().catch(() => undefined);
      await pool.end().catch(() => undefined);
      post({ type: 'stopped' });
      parentPort!.close();
    })();
  });
  post({ type: 'started' });
}

main(workerData as TableTailThreadData).catch((error: unknown) => {
  logger.error({ err: error }, 'table tail thread could not start');
  // The host sees the exit before 'started' and reports it.
  process.exit(1);
});
