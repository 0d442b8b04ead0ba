/**
 * An experiment, not a baseline: the ingestion service exactly as its executable, except that
 * its NATS connections are opened with `noAsyncTraces: true` (nats.js then no longer creates a
 * RequestError and a TimeoutError, with their stack traces, for every JetStream publish of the
 * relay). `npm run bench:ingestion -- --variant=no-async-traces` starts the service as
 * `node --import ./bench/ingestion/variant-no-async-traces.ts <service main>`, to measure what
 * that one connection option would change.
 */
import Module, { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

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
