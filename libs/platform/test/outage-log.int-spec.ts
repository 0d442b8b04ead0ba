import { Controller, Get, Module } from '@nestjs/common';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { ObservabilityModule } from '@ihf/observability';
import { createServiceApp } from '@ihf/platform';

// Issue 11, "Under faults": during an outage every refused request was logged at error level
// with a stack. A tiny service whose store can be "down", with its log lines captured.

const state = { down: false };

@Controller('api/v1/probe')
class StoreController {
  @Get('store')
  store(): { ok: true } {
    if (state.down)
      throw Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
        code: 'ECONNREFUSED',
      });
    return { ok: true };
  }

  @Get('boom')
  boom(): never {
    throw new Error('a bug');
  }
}

// Generous: the burst below must fit in REPEAT_MS on a busy machine, the pause in QUIET_MS.
const QUIET_MS = 7_000;
const REPEAT_MS = 5_000;
const lines: string[] = [];
const logs = (): Record<string, unknown>[] =>
  lines.map((line) => JSON.parse(line) as Record<string, unknown>);
const atLeastWarn = () =>
  logs().filter((l) => ['warn', 'error', 'fatal'].includes(String(l.level)));

@Module({
  imports: [
    ObservabilityModule.forRoot({
      service: 'outage-probe',
      logLevel: 'debug',
      logDestination: { write: (line: string) => void lines.push(line) },
      outageLog: { quietMs: QUIET_MS, repeatMs: REPEAT_MS },
    }),
  ],
  controllers: [StoreController],
})
class ProbeModule {}

describe('refusals during an outage are logged per outage, not per request', () => {
  let app: NestFastifyApplication;

  beforeAll(async () => {
    app = await createServiceApp({
      name: 'outage-probe',
      module: ProbeModule,
      defaultPort: 0,
      bodyLimit: 1024,
      env: { LOG_LEVEL: 'silent' },
    });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    lines.length = 0;
    state.down = false;
  });

  async function refusals(): Promise<number> {
    const res = await app.inject({ method: 'GET', url: '/metrics' });
    const m =
      /^ihf_http_unavailable_refusals_total\{[^}]*code="SERVICE\.UNAVAILABLE"[^}]*\} (\d+)$/m.exec(
        res.body,
      );
    return m ? Number(m[1]) : 0;
  }

  it('logs the start once with one stack, counts every refusal, reports at most once per interval, and logs the end', async () => {
    const before = await refusals();
    state.down = true;
    for (let i = 0; i < 100; i++) {
      const res = await app.inject({ method: 'GET', url: '/api/v1/probe/store' });
      expect(res.statusCode).toBe(503);
      expect(res.headers['content-type']).toContain('application/problem+json');
    }
    const started = atLeastWarn();
    expect(started).toHaveLength(1);
    expect(started[0]).toMatchObject({ level: 'error', code: 'SERVICE.UNAVAILABLE', status: 503 });
    expect((started[0].err as { stack?: string }).stack).toContain('ECONNREFUSED');
    expect(lines.filter((l) => l.includes('"stack"'))).toHaveLength(1);
    expect((await refusals()) - before).toBe(100);

    // Still refusing after the repeat interval: one "goes on" line with the count since.
    await new Promise((resolve) => setTimeout(resolve, REPEAT_MS + 50));
    for (let i = 0; i < 3; i++) await app.inject({ method: 'GET', url: '/api/v1/probe/store' });
    const goesOn = atLeastWarn().slice(1);
    expect(goesOn).toHaveLength(1);
    expect(goesOn[0]).toMatchObject({ level: 'warn', code: 'SERVICE.UNAVAILABLE', refusals: 100 });

    state.down = false;
    expect((await app.inject({ method: 'GET', url: '/api/v1/probe/store' })).statusCode).toBe(200);
    const deadline = Date.now() + QUIET_MS + 5_000;
    let over: Record<string, unknown> | undefined;
    while (!over && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 50));
      over = atLeastWarn().find((l) => String(l.msg).includes('Outage over'));
    }
    expect(over).toMatchObject({ level: 'warn', code: 'SERVICE.UNAVAILABLE', refusals: 103 });
    expect(atLeastWarn()).toHaveLength(3);
  });

  it('still logs every other server fault with its stack', async () => {
    for (let i = 0; i < 2; i++)
      expect((await app.inject({ method: 'GET', url: '/api/v1/probe/boom' })).statusCode).toBe(500);
    const failed = logs().filter((l) => l.msg === 'Request failed');
    expect(failed).toHaveLength(2);
    expect(failed.every((l) => l.level === 'error' && l.err !== undefined)).toBe(true);
  });
});
