import Fastify from 'fastify';
import { DomainError } from '@ihf/observability';
import { installLoadShedding, LoadShedder, type ShedReason } from './load-shedding.js';

class TestOverloadedError extends DomainError {
  constructor(reason: ShedReason) {
    super({
      code: 'TEST.OVERLOADED',
      status: 503,
      message: 'At capacity',
      extensions: { reason, retry_after_seconds: 1 },
      retryAfterSeconds: 1,
    });
  }
}

function shedder(maxInFlight = 2): LoadShedder {
  return new LoadShedder({
    routes: ['POST /x'],
    maxInFlight,
    maxEventLoopDelayMs: 50,
    refuse: (reason) => new TestOverloadedError(reason),
  });
}

describe('LoadShedder', () => {
  const made: LoadShedder[] = [];
  afterEach(() => made.splice(0).forEach((s) => s.stop()));

  it('refuses beyond the in-flight bound and admits again once a request is done', () => {
    const s = shedder(2);
    made.push(s);
    const a = s.admit();
    const b = s.admit();
    expect(s.refusal()).toBe('in_flight');
    a();
    a(); // releasing twice (finish and close) counts once
    expect(s.inFlight).toBe(1);
    expect(s.refusal()).toBeUndefined();
    b();
    expect(s.inFlight).toBe(0);
  });

  const block = (ms: number) => {
    const until = Date.now() + ms;
    while (Date.now() < until) {
      // a busy event loop: the sampler cannot run
    }
  };
  const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

  it('refuses while the event loop stays late for the window, not after one pause', async () => {
    const s = new LoadShedder({
      routes: ['POST /x'],
      maxInFlight: 100,
      maxEventLoopDelayMs: 30,
      eventLoopDelayWindowMs: 150,
      refuse: (reason) => new TestOverloadedError(reason),
    });
    made.push(s);
    await new Promise((resolve) => setTimeout(resolve, 30));
    block(200); // one long pause
    await tick();
    expect(s.eventLoopDelayMs()).toBeGreaterThan(30);
    expect(s.refusal()).toBeUndefined();
    await new Promise((resolve) => setTimeout(resolve, 30));
    for (let i = 0; i < 6; i++) {
      block(60); // behind, sample after sample
      await tick();
    }
    expect(s.refusal()).toBe('event_loop_delay');
    // Once the loop runs freely again, the next sample clears it.
    await new Promise((resolve) => setTimeout(resolve, 40));
    expect(s.refusal()).toBeUndefined();
  });

  it("answers a refused request with the service's problem and Retry-After, other routes never", async () => {
    const app = Fastify();
    const shed: ShedReason[] = [];
    installLoadShedding(app, {
      routes: ['POST /x'],
      maxInFlight: 1,
      maxEventLoopDelayMs: 50,
      refuse: (reason) => new TestOverloadedError(reason),
      onShed: (reason) => shed.push(reason),
    });
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    app.post('/x', async () => {
      await held;
      return { ok: true };
    });
    app.post('/y', () => ({ ok: true }));
    try {
      const first = app.inject({ method: 'POST', url: '/x', payload: {} });
      await new Promise((resolve) => setTimeout(resolve, 20));
      const refused = await app.inject({ method: 'POST', url: '/x?a=1', payload: {} });
      expect(refused.statusCode).toBe(503);
      expect(refused.headers['retry-after']).toBe('1');
      expect(refused.headers['content-type']).toContain('application/problem+json');
      expect(refused.json()).toMatchObject({
        type: 'urn:ihf:problem:TEST.OVERLOADED',
        status: 503,
        code: 'TEST.OVERLOADED',
        instance: '/x',
        reason: 'in_flight',
        retry_after_seconds: 1,
      });
      expect(shed).toEqual(['in_flight']);
      expect((await app.inject({ method: 'POST', url: '/y', payload: {} })).statusCode).toBe(200);
      release();
      expect((await first).statusCode).toBe(200);
      // The answered request left the bound.
      expect((await app.inject({ method: 'POST', url: '/x', payload: {} })).statusCode).toBe(200);
    } finally {
      await app.close();
    }
  });
});
