/**
 * An experiment, not a baseline: the ingestion service exactly as `main.js`, except that its
 * NATS connections are opened with `noAsyncTraces: true` (nats.js then no longer creates a
 * RequestError and a TimeoutError, with their stack traces, for every JetStream publish of the
 * relay). `npm run bench:ingestion -- --variant=no-async-traces` runs the service this way, to
 * measure what that one connection option would change.
 */
import Module, { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const require = createRequire(join(root, 'package.json'));

type Connect = (options: Record<string, unknown>) => Promise<unknown>;
const real = require('@nats-io/transport-node') as { connect: Connect };
const patched = {
  ...real,
  connect: (options: Record<string, unknown>) => real.connect({ ...options, noAsyncTraces: true }),
};
const loader = Module as unknown as {
  _load: (request: string, parent: unknown, isMain: boolean) => unknown;
};
const load = loader._load;
loader._load = function (request: string, parent: unknown, isMain: boolean): unknown {
  if (request === '@nats-io/transport-node') return patched;
  return load.call(this, request, parent, isMain);
};
require(join(root, 'services', 'ingestion', 'dist', 'main.js'));
