import { Logger } from '@nestjs/common';
import { HealthRegistry } from './health.registry.js';

describe('HealthRegistry', () => {
  let warn: jest.SpyInstance;
  beforeEach(() => {
    warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => warn.mockRestore());

  const registry = (timeoutMs = 50) =>
    new HealthRegistry({ service: 'probe', readinessTimeoutMs: timeoutMs });

  it('is ready with no checks', async () => {
    await expect(registry().readiness()).resolves.toEqual({
      status: 'ok',
      shutting_down: false,
      checks: {},
    });
  });

  it('reports each check, and is unavailable when one fails, throws or times out', async () => {
    const health = registry();
    health.register('postgres', () => Promise.resolve());
    health.register('nats', () => Promise.reject(new Error('connection refused')));
    health.register('sync', () => {
      throw new Error('sync failure');
    });
    health.register('slow', () => new Promise(() => undefined));
    const report = await health.readiness();
    expect(report.status).toBe('unavailable');
    expect(report.checks).toEqual({
      postgres: { status: 'up', duration_ms: expect.any(Number) as number },
      nats: { status: 'down', duration_ms: expect.any(Number) as number, error: 'failed' },
      sync: { status: 'down', duration_ms: expect.any(Number) as number, error: 'failed' },
      slow: { status: 'down', duration_ms: expect.any(Number) as number, error: 'timeout' },
    });
    // The reason is logged, not sent.
    expect(warn).toHaveBeenCalledWith("Readiness check 'nats' failed: connection refused");
    expect(JSON.stringify(report)).not.toContain('connection refused');
  });

  it('is unavailable once shutdown has begun, even when all checks pass', async () => {
    const health = registry();
    health.register('postgres', () => Promise.resolve());
    health.beforeApplicationShutdown();
    await expect(health.readiness()).resolves.toMatchObject({
      status: 'unavailable',
      shutting_down: true,
      checks: { postgres: { status: 'up' } },
    });
  });

  it('refuses a second check with the same name', () => {
    const health = registry();
    health.register('nats', () => Promise.resolve());
    expect(() => health.register('nats', () => Promise.resolve())).toThrow(
      "Health check 'nats' is already registered",
    );
  });
});
