/**
 * B3: the ingestion service itself (same Fastify/Nest stack, body parser, API-key guard,
 * rate limit, contract validation with its widget look-up, duplicate look-up of refusals),
 * started from its own executable, except that the group commit writer stores nothing: every
 * event that passes validation is answered `accepted` at once (refusals are not quarantined
 * either). run.ts starts it as `node --import ./bench/ingestion/b3-server.ts <service main>`,
 * so this patch is in place before the service loads; the writer comes from the service's
 * package entry, the same module instance the service then uses.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface WriterModule {
  GroupCommitWriter: {
    prototype: { write(events: readonly { id: string }[]): Promise<Map<string, string>> };
  };
}

const { GroupCommitWriter } = require('@ihf/ingestion-service') as WriterModule;
GroupCommitWriter.prototype.write = (events) =>
  Promise.resolve(new Map(events.map((e) => [e.id, 'accepted'])));
