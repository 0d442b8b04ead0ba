// The end-to-end proof against the running services (issue 6): `node e2e/run-live.ts` (Node 24
// runs TypeScript directly) from libs/sdk-web, with identity, ingestion and feedback up.
// Creates a fresh hub, the demo's widgets and a hub API key, serves the demo page on
// 127.0.0.1 and runs every scenario in headless Chromium. Exit 0 when all pass.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildDemoFromNode } from './build-demo.ts';
import { launchChromium } from './chromium.ts';
import { liveBackend, liveSettingsFromEnv, setUpHub } from './live-backend.ts';
import {
  annotationScenario,
  captureScenario,
  offlineScenario,
  unloadScenario,
  type ScenarioContext,
} from './scenarios.ts';
import { startDemoServer } from './serve.ts';

const PKG = join(fileURLToPath(import.meta.url), '../..');

async function main(): Promise<number> {
  const settings = liveSettingsFromEnv();
  await buildDemoFromNode(PKG);
  const { config, token } = await setUpHub(settings);
  console.log(`hub ${config.hubId}, widgets ${Object.values(config.widgets).join(', ')}`);
  const backend = await liveBackend(settings, config, token);
  const server = await startDemoServer(config, Number(process.env.PORT ?? 0));
  const browser = await launchChromium();
  const ctx: ScenarioContext = {
    browser: browser.context,
    demoUrl: `${server.url}/`,
    config,
    backend,
    artifacts: join(PKG, '../../.artifacts/sdk-web/live'),
    timeoutMs: 30_000,
  };
  const scenarios = { captureScenario, annotationScenario, offlineScenario, unloadScenario };
  let failed = 0;
  try {
    for (const [name, scenario] of Object.entries(scenarios)) {
      const started = Date.now();
      try {
        await scenario(ctx);
        console.log(`✓ ${name} (${Date.now() - started} ms)`);
      } catch (error) {
        failed++;
        console.log(`✗ ${name}: ${error instanceof Error ? error.message : String(error)}`);
      }
    }
  } finally {
    await browser.close();
    await server.close();
    await backend.close();
  }
  const total = Object.keys(scenarios).length;
  console.log(`sdk-web e2e: ${total - failed} passed, ${failed} failed`);
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(`sdk-web e2e could not run: ${String(error)}`);
    process.exitCode = 2;
  },
);
