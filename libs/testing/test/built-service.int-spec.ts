// startBuiltService: a service that cannot start fails the start at once with what it said, and
// one that starts is reachable and stopped by stop().
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startBuiltService } from '@ihf/testing';

describe('startBuiltService', () => {
  const root = mkdtempSync(join(tmpdir(), 'ihf-built-service-'));
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  /** A stand-in `services/<name>/dist/main.js` with `code` as its program. */
  function fakeService(name: string, code: string): string {
    const dist = join(root, 'services', name, 'dist');
    mkdirSync(dist, { recursive: true });
    writeFileSync(join(dist, 'main.js'), code);
    return join(dist, 'main.js');
  }

  it('fails at once, with the output, when the service exits before it listens', async () => {
    const main = fakeService('broken', "console.error('cannot start: no key'); process.exit(3);");
    const started = Date.now();
    await expect(startBuiltService({ main, env: {} })).rejects.toThrow(
      /broken exited \(3\) before listening.*cannot start: no key/s,
    );
    expect(Date.now() - started).toBeLessThan(10_000);
  });

  it('answers with the URL the service logs, and stop() ends it', async () => {
    const main = fakeService(
      'echo',
      `const http = require('node:http');
       const s = http.createServer((req, res) => res.end('ok'));
       s.listen(Number(process.env.PORT), '127.0.0.1', () =>
         console.log(JSON.stringify({ msg: 'echo listening on http://127.0.0.1:' + process.env.PORT })));`,
    );
    const service = await startBuiltService({ main, env: {} });
    expect(await (await fetch(service.url)).text()).toBe('ok');
    await service.stop();
    await expect(fetch(service.url)).rejects.toThrow();
  });

  it('refuses an entry point that was not built', async () => {
    await expect(
      startBuiltService({ main: join(root, 'services', 'none', 'dist', 'main.js'), env: {} }),
    ).rejects.toThrow(/missing: run npm run build first/);
  });
});
