import { LoadShedder } from './load-shedding.js';

function shedder(maxInFlight = 2): LoadShedder {
  return new LoadShedder({
    routes: ['POST /x'],
    maxInFlight,
    maxEventLoopDelayMs: 50,
    retryAfterSec: 1,
    code: 'TEST.OVERLOADED',
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
      retryAfterSec: 1,
      code: 'TEST.OVERLOADED',
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

  it('describes the refusal as a problem with the code and Retry-After', () => {
    const s = shedder();
    made.push(s);
    expect(s.problem('/x', 'in_flight')).toMatchObject({
      type: 'urn:ihf:problem:TEST.OVERLOADED',
      status: 503,
      code: 'TEST.OVERLOADED',
      instance: '/x',
      reason: 'in_flight',
      retry_after_seconds: 1,
    });
  });
});
