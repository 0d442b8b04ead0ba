// `npm run demo -w libs/sdk-web` (Node 24 runs TypeScript directly): the demo page against the
// real services in one command, with widgets it registers itself (no hand-made ids).
//  - by default it starts identity, ingestion and feedback from their built dist/ (run
//    `npm run build` at the root first), on a database and bus namespace of its own on
//    DATABASE_URL / NATS_URL (local defaults), with an admin it creates;
//  - with IHF_ADMIN_EMAIL / IHF_ADMIN_PASSWORD set, against services already running
//    (`npm start`; URLs as in e2e/README.md).
// Either way it signs in, creates a hub, the demo's seven widgets and a hub API key, serves the
// page on 127.0.0.1 (PORT, default 8088) and prints its URL. Ctrl-C stops it, and removes the
// services, database and namespace it started.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoBuilt } from './build-demo.ts';
import { liveSettingsFromEnv, setUpHub, type LiveSettings } from './live-backend.ts';
import { startDemoServer } from './serve.ts';
import { startServiceStack } from './service-stack.ts';

const PKG = join(fileURLToPath(import.meta.url), '../..');
const ROOT = join(PKG, '../..');

/** What to undo on exit, last first. */
const cleanups: (() => Promise<void>)[] = [];

async function ownServices(): Promise<LiveSettings> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
  process.env.IHF_STREAM_MAX_BYTES ??= String(64 * 1024 * 1024);
  const { createTestEnvironment } = await import('@ihf/testing');
  const env = await createTestEnvironment();
  cleanups.push(() => env.teardown());
  const adminEmail = 'admin@sdk-demo.test';
  const adminPassword = `sdk-demo-${randomBytes(9).toString('base64url')}`;
  console.log('Starting identity, ingestion and feedback (built dist/)...');
  const stack = await startServiceStack({
    root: ROOT,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail,
    adminPassword,
    logDir: join(ROOT, '.artifacts/sdk-web/demo/logs'),
  });
  cleanups.push(() => stack.stop());
  return {
    ...liveSettingsFromEnv({ IHF_ADMIN_EMAIL: adminEmail, IHF_ADMIN_PASSWORD: adminPassword }),
    identityUrl: stack.identityUrl,
    ingestionUrl: stack.ingestionUrl,
    feedbackUrl: stack.feedbackUrl,
  };
}

async function main(): Promise<void> {
  await ensureDemoBuilt(PKG);
  const settings = process.env.IHF_ADMIN_EMAIL ? liveSettingsFromEnv() : await ownServices();
  const { config } = await setUpHub(settings);
  const server = await startDemoServer(config, Number(process.env.PORT ?? 8088));
  cleanups.push(() => server.close());
  console.log(
    [
      '',
      `  demo page        ${server.url}/`,
      `  hub              ${config.hubId}`,
      `  ingestion        ${settings.ingestionUrl}  (events: GET /api/v1/hubs/${config.hubId}/events, admin token)`,
      `  feedback         ${settings.feedbackUrl}`,
      // A throwaway admin of its own database is shown in full, to sign in to the APIs.
      `  admin            ${settings.adminEmail}${process.env.IHF_ADMIN_EMAIL ? '' : ` / ${settings.adminPassword}`}`,
      '',
      '  Ctrl-C stops the demo' +
        (process.env.IHF_ADMIN_EMAIL ? '.' : ' and the services it started.'),
      '',
    ].join('\n'),
  );
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const)
  process.on(signal, () => void stop(0));

main().catch(async (error: unknown) => {
  console.error(`sdk-web demo could not start: ${String(error)}`);
  await stop(2);
});
