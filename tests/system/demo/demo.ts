// `npm run demo` (Node 24 runs TypeScript directly): a demo hub with a story to explore.
//  - With IHF_ADMIN_EMAIL / IHF_ADMIN_PASSWORD set, against services already running
//    (`npm start`; URLs IHF_IDENTITY_URL, IHF_INGESTION_URL, IHF_FEEDBACK_URL,
//    IHF_GOVERNANCE_URL, IHF_DEPLOYMENT_URL, IHF_AGENTS_URL, default 127.0.0.1:3000-3005).
//  - Otherwise it starts every service itself from their built dist/ (run `npm run build`
//    first) on free ports, with a database and bus namespace of its own on DATABASE_URL /
//    NATS_URL (local defaults), removed again on Ctrl-C.
// It seeds the hub (seed.ts: widgets, API key, users for each role, DEMO_DAYS (default 28) days
// of synthetic history, feedback, a requirement with its decision, a CI pipeline's deployment of
// it mid-history and its measured outcome), serves the SDK demo shop
// page wired to the hub on 127.0.0.1 (DEMO_PORT, default 8088, else a free port), and prints
// what to open and what to try. Ctrl-C stops what it started.

import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { ensureDemoBuilt } from '../../../libs/sdk-web/e2e/build-demo.ts';
import { startDemoServer, type DemoServer } from '../../../libs/sdk-web/e2e/serve.ts';
import { Platform } from '../harness/platform.ts';
import type { Urls } from '../loop/loop.ts';
import { demoPassword, seedDemo } from './seed.ts';

const ROOT = join(fileURLToPath(import.meta.url), '../../../..');
const cleanups: (() => Promise<void>)[] = [];
const say = (line = '') => console.log(line);

async function ownPlatform(): Promise<{ urls: Urls; admin: { email: string; password: string } }> {
  process.env.DATABASE_URL ??= 'postgres://postgres@127.0.0.1:5432/postgres';
  process.env.NATS_URL ??= 'nats://127.0.0.1:4222';
  process.env.IHF_STREAM_MAX_BYTES ??= String(64 * 1024 * 1024);
  const { createTestEnvironment } = await import('@ihf/testing');
  const env = await createTestEnvironment();
  cleanups.push(() => env.teardown());
  const admin = { email: 'admin@demo-shop.example.com', password: demoPassword() };
  say('Starting the services (built dist/, free ports, a database and namespace of their own)...');
  const platform = await Platform.start({
    root: ROOT,
    databaseUrl: env.databaseUrl,
    natsUrl: env.natsUrl,
    natsNamespace: env.natsNamespace,
    adminEmail: admin.email,
    adminPassword: admin.password,
    logDir: join(ROOT, '.artifacts/demo/logs'),
    env: { LOG_LEVEL: 'warn' },
  });
  cleanups.push(() => platform.stop());
  for (const [name, service] of platform.services) {
    say(`  ${name.padEnd(12)} ${service.url}   docs: ${service.url}/docs`);
  }
  return {
    admin,
    urls: {
      identity: platform.url('identity'),
      ingestion: platform.url('ingestion'),
      feedback: platform.url('feedback'),
      governance: platform.url('governance'),
      agents: platform.url('agent-proposals'),
      deployment: platform.url('deployment-outcomes'),
    },
  };
}

function runningStack(): { urls: Urls; admin: { email: string; password: string } } {
  return {
    admin: { email: process.env.IHF_ADMIN_EMAIL!, password: process.env.IHF_ADMIN_PASSWORD! },
    urls: {
      identity: process.env.IHF_IDENTITY_URL ?? 'http://127.0.0.1:3000',
      ingestion: process.env.IHF_INGESTION_URL ?? 'http://127.0.0.1:3001',
      feedback: process.env.IHF_FEEDBACK_URL ?? 'http://127.0.0.1:3002',
      governance: process.env.IHF_GOVERNANCE_URL ?? 'http://127.0.0.1:3003',
      deployment: process.env.IHF_DEPLOYMENT_URL ?? 'http://127.0.0.1:3004',
      agents: process.env.IHF_AGENTS_URL ?? 'http://127.0.0.1:3005',
    },
  };
}

async function serveDemoPage(config: Parameters<typeof startDemoServer>[0]): Promise<DemoServer> {
  const wanted = Number(process.env.DEMO_PORT ?? 8088);
  try {
    return await startDemoServer(config, wanted);
  } catch {
    return startDemoServer(config, 0); // the port is taken: any free one
  }
}

async function main(): Promise<void> {
  const against = process.env.IHF_ADMIN_EMAIL && process.env.IHF_ADMIN_PASSWORD;
  const { urls, admin } = against ? runningStack() : await ownPlatform();
  for (const [name, url] of Object.entries(urls)) {
    const ready = await fetch(`${url}/health/ready`).then(
      (r) => r.ok,
      () => false,
    );
    if (!ready) {
      throw new Error(
        `${name} is not ready at ${url}: start the platform (npm start) or unset IHF_ADMIN_EMAIL to let the demo start its own`,
      );
    }
  }
  const days = Number(process.env.DEMO_DAYS ?? 28);
  const sessionsPerDay = Number(process.env.DEMO_SESSIONS_PER_DAY ?? 40);
  say(`Seeding the demo hub (${days} days of history, ${sessionsPerDay} sessions a day)...`);
  const seeded = await seedDemo(urls, admin, {
    days,
    sessionsPerDay,
    log: (line) => say(`  ${line}`),
  });
  await ensureDemoBuilt(join(ROOT, 'libs/sdk-web'));
  const server = await serveDemoPage({
    endpoint: urls.ingestion,
    apiKey: seeded.hub.apiKey,
    hubId: seeded.hub.hubId,
    widgets: seeded.hub.widgets,
  });
  cleanups.push(() => server.close());
  const { hub, team } = seeded;
  const login = (email: string, password: string) =>
    `TOKEN=$(curl -s ${urls.identity}/api/v1/auth/login -H 'content-type: application/json' ` +
    `-d '${JSON.stringify({ email, password })}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).access_token')`;
  say();
  say('IHF demo is ready. Development only: the passwords below are printed on purpose.');
  say();
  say(`  Open the demo shop:  ${server.url}/`);
  say();
  say('  Users (role, e-mail, password):');
  say(`    ${'admin'.padEnd(9)} ${admin.email.padEnd(44)} ${against ? '(yours)' : admin.password}`);
  for (const user of Object.values(team)) {
    say(`    ${user.role.padEnd(9)} ${user.email.padEnd(44)} ${user.password}`);
  }
  say(`  Hub ${hub.slug} (${hub.hubId}); its API key (the page uses it): ${hub.apiKey}`);
  say();
  say('  What to try:');
  say('   1. On the page, click "Add to cart" a few times, then the Feedback button (bottom');
  say('      right): pick the Product widget, or "Point at it", and send a note.');
  say(
    `   2. The history: ${seeded.history.accepted} events since ${seeded.history.from.slice(0, 10)}; the`,
  );
  say('      rage clicks on "Add to cart" grow in the second half. As the viewer:');
  say(`        ${login(team.viewer.email, team.viewer.password)}`);
  say(
    `        curl -s "${urls.ingestion}/api/v1/widgets/${hub.widgets.reactProduct}/event-counts?bucket=day&from=${seeded.history.from.slice(0, 10)}T00:00:00Z" -H "authorization: Bearer $TOKEN"`,
  );
  say('   3. Feedback: the notes left on the page (yours too) and the one about the checkout,');
  say('      not triaged yet; then the triage queue (candidates, most severe first):');
  say(
    `        curl -s "${urls.feedback}/api/v1/annotations?hub_id=${hub.hubId}" -H "authorization: Bearer $TOKEN"`,
  );
  say(
    `        curl -s "${urls.feedback}/api/v1/triage/queue?hub_id=${hub.hubId}" -H "authorization: Bearer $TOKEN"`,
  );
  say('      Group and escalate as the triager in the API docs (Authorize with their token):');
  say(`        ${urls.feedback}/docs   (POST /api/v1/threads, POST /api/v1/candidates)`);
  say('   4. The loop so far: the requirement, its decision, policy and work item, in one answer:');
  say(
    `        curl -s ${urls.governance}/api/v1/requirements/${seeded.requirementId}/trace -H "authorization: Bearer $TOKEN"`,
  );
  say(
    `        curl -s ${urls.governance}/api/v1/decisions/${seeded.decisionId} -H 'accept: text/markdown' -H "authorization: Bearer $TOKEN"`,
  );
  say(
    `      The work item ${seeded.workItemRef} closes when GitHub's webhook says so (governance README).`,
  );
  const outcome = seeded.deployment;
  if (outcome) {
    const d = outcome.deployment;
    say(
      `   5. A CI pipeline deployed ${seeded.workItemRef} (${d.version_ref}) on ${d.deployed_at.slice(0, 10)}; the`,
    );
    say(
      `      outcome report (${outcome.phase}) compares the widgets before and after it, e.g. the product widget:`,
    );
    for (const s of outcome.figures.filter(
      (f) => f.widget_id === hub.widgets.reactProduct && f.signal_type.startsWith('rate_per_hour'),
    )) {
      say(
        `        ${s.signal_type.padEnd(26)} before ${fmt(s.before)}  after ${fmt(s.after)}  change ${s.relative_change === null ? 'n/a' : `${(s.relative_change * 100).toFixed(0)} %`}${s.not_enough_data ? '  (not enough data)' : `  p=${fmt(s.p_value)}`}`,
      );
    }
    say(
      `        curl -s ${urls.deployment}/api/v1/deployments/${d.id}/outcome -H "authorization: Bearer $TOKEN"`,
    );
    say('      Record the human evaluation (score 1-5, once: a second is 409), with TOKEN set as');
    say("      in step 2 but with the governor's e-mail and password:");
    say(
      `        curl -s ${urls.deployment}/api/v1/deployments/${d.id}/evaluation -H 'content-type: application/json' -H "authorization: Bearer $TOKEN" -d '{"score":2,"rationale":"rage clicks still grow"}'`,
    );
  } else {
    say('   5. deployment-outcomes is not running: no deployment in this demo.');
  }
  if (urls.agents) {
    say('   6. The built-in agents read the same stream: their proposals (a summary of the');
    say('      thread, a requirement draft, an implementation draft) wait for a person to review:');
    say(
      `        curl -s "${urls.agents}/api/v1/proposals?hub_id=${hub.hubId}" -H "authorization: Bearer $TOKEN"`,
    );
    say(
      `      review one: POST ${urls.agents}/api/v1/proposals/<id>/review {"decision":"accepted"} (agent-proposals README)`,
    );
  }
  say();
  say(
    '  Note: ingestion accepts occurred_at from 30 days back to 5 minutes ahead; older history cannot be reported through its API.',
  );
  say('  Ctrl-C stops the demo page' + (against ? '.' : ' and the services it started.'));
}

function fmt(n: number | null): string {
  return n === null ? 'n/a' : n.toPrecision(3);
}

let stopping = false;
async function stop(code: number): Promise<void> {
  if (stopping) return;
  stopping = true;
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  process.exit(code);
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stop(0));

main().catch(async (error: unknown) => {
  console.error(
    `The demo could not start: ${error instanceof Error ? error.message : String(error)}`,
  );
  await stop(1);
});
// Keep the demo page up until Ctrl-C.
setInterval(() => undefined, 1 << 30);
