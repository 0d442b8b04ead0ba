// Global setup of the `system` Jest project: finds Postgres and NATS as the integration
// project's setup does (libs/testing/src/infrastructure.ts), unless that project already did in
// this Jest run: then its servers (and its Testcontainers, if any) are reused rather than found
// or started a second time.
import { resolveInfrastructure } from '../../libs/testing/src/infrastructure.ts';

interface Globals {
  __ihfSystemStopInfrastructure?: () => Promise<void>;
}

export default async function systemGlobalSetup(): Promise<void> {
  if (process.env.IHF_TEST_DATABASE_URL && process.env.IHF_TEST_NATS_URL) return;
  const { infrastructure, stop } = await resolveInfrastructure();
  process.env.IHF_TEST_DATABASE_URL = infrastructure.databaseUrl;
  process.env.IHF_TEST_NATS_URL = infrastructure.natsUrl;
  process.env.IHF_STREAM_MAX_BYTES ??= String(64 * 1024 * 1024);
  (globalThis as Globals).__ihfSystemStopInfrastructure = stop;
  console.log(`\n[ihf tests] Postgres and NATS from ${infrastructure.source}`);
}
