// The end-to-end proof against the real services (issue 6), by hand: `node e2e/run-live.ts`
// (Node 24 runs TypeScript directly) from libs/sdk-web.
//  - against running services (`npm start`): IHF_ADMIN_EMAIL / IHF_ADMIN_PASSWORD and the
//    service URLs (e2e/README.md);
//  - `--start-services`: starts identity, ingestion and feedback itself (built dist/, as the Jest
//    test test/live-services.int-spec.ts does) on a database and bus namespace of its own on
//    DATABASE_URL / NATS_URL (local defaults), and removes them afterwards.
// Prints one ✓/✗ line per scenario and exits 0 when all pass (1: a scenario failed, 2: no run).
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { liveSettingsFromEnv, type LiveSettings } from './live-backend.ts';
import { prepareLiveRun, runLiveScenarios } from './live-run.ts';
import { startServiceStack, type ServiceStack } from './service-stack.ts';

const PKG = join(fileURLToPath(import.meta.url), '../..');
const ROOT = join(PKG, '../..');
const ARTIFACTS = join(ROOT, '.artifacts/sdk-web/live');

async function withOwnServices(run: (settings: LiveSettings) => Promise<number>): Promise<number> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
  process.env.IHF_STREAM_MAX_BYTES ??= String(64 * 1024 * 1024);
  const { createTestEnvironment } = await import('@ihf/testing');
  const env = await createTestEnvironment();
  let stack: ServiceStack | undefined;
  try {
    const adminEmail = 'admin@sdk-e2e.test';
    const adminPassword = `sdk-e2e-${randomBytes(9).toString('base64url')}`;
    stack = await startServiceStack({
      root: ROOT,
      databaseUrl: env.databaseUrl,
      natsUrl: env.natsUrl,
      natsNamespace: env.natsNamespace,
      adminEmail,
      adminPassword,
      logDir: join(ARTIFACTS, 'logs'),
    });
    console.log(
      `services: identity ${stack.identityUrl}, ingestion ${stack.ingestionUrl}, feedback ${stack.feedbackUrl}`,
    );
    return await run({
      ...liveSettingsFromEnv({ IHF_ADMIN_EMAIL: adminEmail, IHF_ADMIN_PASSWORD: adminPassword }),
      identityUrl: stack.identityUrl,
      ingestionUrl: stack.ingestionUrl,
      feedbackUrl: stack.feedbackUrl,
    });
  } finally {
    await stack?.stop();
    await env.teardown();
  }
}

async function main(): Promise<number> {
  const runWith = async (settings: LiveSettings) => {
    const run = await prepareLiveRun({ settings, artifacts: ARTIFACTS, packageDir: PKG });
    console.log(`hub ${run.config.hubId}, demo ${run.demoUrl}`);
    try {
      return (await runLiveScenarios(run.ctx)) === 0 ? 0 : 1;
    } finally {
      await run.close();
    }
  };
  return process.argv.includes('--start-services')
    ? withOwnServices(runWith)
    : runWith(liveSettingsFromEnv());
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`sdk-web e2e could not run: ${String(error)}`);
    process.exitCode = 2;
  },
);
