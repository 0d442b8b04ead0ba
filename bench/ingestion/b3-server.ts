/**
 * B3: the ingestion service itself (same Fastify/Nest stack, body parser, API-key guard,
 * rate limit, contract validation with its widget look-up, duplicate look-up of refusals),
 * started exactly as `services/ingestion/dist/main.js`, except that the group commit writer
 * stores nothing: every event that passes validation is answered `accepted` at once (refusals
 * are not quarantined either). Run by run.ts as its own process, with the service's env.
 */
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));
const dist = join(root, 'services', 'ingestion', 'dist');

interface WriterModule {
  GroupCommitWriter: {
    prototype: { write(events: readonly { id: string }[]): Promise<Map<string, string>> };
  };
}

const writer = require(join(dist, 'reporting', 'group-commit.writer.js')) as WriterModule;
writer.GroupCommitWriter.prototype.write = (events) =>
  Promise.resolve(new Map(events.map((e) => [e.id, 'accepted'])));
require(join(dist, 'main.js'));
