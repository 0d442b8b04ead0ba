// Serves the demo page (demo/index.html with the widget ids and endpoint written in) and the
// test pages on 127.0.0.1. Run by hand: `node e2e/serve.ts` (Node 24) after `npm run demo:build`;
// configuration from the environment, see e2e/README.md.
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, extname, join, normalize, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_WIDGETS, type DemoConfig } from '../demo/config.ts';

const PACKAGE_DIR = join(dirname(fileURLToPath(import.meta.url)), '..');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
};

export interface DemoServer {
  /** e.g. `http://127.0.0.1:43123` */
  readonly url: string;
  close(): Promise<void>;
}

function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}

/** The demo page with `{{hubId}}`, `{{<widget>}}` and `{{config}}` filled in. */
export function renderDemo(config: DemoConfig): string {
  const template = readFileSync(join(PACKAGE_DIR, 'demo/index.html'), 'utf8');
  const values: Record<string, string> = { hubId: config.hubId, ...config.widgets };
  return template
    .replace('{{config}}', JSON.stringify(config).replace(/</g, '\\u003c'))
    .replace(/\{\{(\w+)\}\}/g, (_m, key: string) => escapeHtml(values[key] ?? ''));
}

/** A file under `base`, or null when the path tries to leave it. */
function fileUnder(base: string, relative: string): string | null {
  const path = normalize(join(base, relative));
  return path.startsWith(base + sep) ? path : null;
}

export async function startDemoServer(config: DemoConfig, port = 0): Promise<DemoServer> {
  const server: Server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    let file: string | null = null;
    let body: string | Buffer | undefined;
    if (path === '/' || path === '/index.html') body = renderDemo(config);
    else if (path === '/demo.css') file = join(PACKAGE_DIR, 'demo/demo.css');
    else if (path.startsWith('/dist/'))
      file = fileUnder(join(PACKAGE_DIR, 'demo/dist'), path.slice(6));
    else if (path.startsWith('/pages/'))
      file = fileUnder(join(PACKAGE_DIR, 'e2e/pages'), path.slice(7));
    try {
      body ??= file ? readFileSync(file) : undefined;
    } catch {
      body = undefined;
    }
    if (body === undefined) {
      res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
      return;
    }
    res
      .writeHead(200, {
        'content-type':
          (file ? TYPES[extname(file)] : TYPES['.html']) ?? 'application/octet-stream',
        'cache-control': 'no-store',
      })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const { port: actual } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${actual}`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Demo configuration from the environment (a live run against the services). */
export function demoConfigFromEnv(env: NodeJS.ProcessEnv = process.env): DemoConfig {
  const need = (name: string) => {
    const value = env[name];
    if (!value) throw new Error(`${name} is not set (see libs/sdk-web/e2e/README.md)`);
    return value;
  };
  const ids = need('IHF_DEMO_WIDGET_IDS').split(',');
  if (ids.length !== DEMO_WIDGETS.length) {
    throw new Error(
      `IHF_DEMO_WIDGET_IDS needs ${DEMO_WIDGETS.length} ids: ${DEMO_WIDGETS.join(',')}`,
    );
  }
  return {
    endpoint: need('IHF_INGESTION_URL'),
    apiKey: need('IHF_HUB_API_KEY'),
    hubId: need('IHF_HUB_ID'),
    widgets: Object.fromEntries(DEMO_WIDGETS.map((w, i) => [w, ids[i]])) as DemoConfig['widgets'],
  };
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  startDemoServer(demoConfigFromEnv(), Number(process.env.PORT ?? 8088)).then(
    (server) =>
      console.log(
        `demo: ${server.url}/   violations test page: ${server.url}/pages/violations.html`,
      ),
    (error: unknown) => {
      console.error(String(error));
      process.exitCode = 2;
    },
  );
}
