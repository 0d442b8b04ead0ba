import { connect, type Socket } from 'node:net';
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

  it('answers requests on connections beyond maxConnections 503 + Connection: close, at once', async () => {
    const app = Fastify();
    const shed: ShedReason[] = [];
    installLoadShedding(app, {
      routes: ['POST /x'],
      maxInFlight: 100,
      maxConnections: 2,
      maxEventLoopDelayMs: 50,
      refuse: (reason) => new TestOverloadedError(reason),
      onShed: (reason) => shed.push(reason),
    });
    app.post('/x', () => ({ ok: true }));
    app.get('/health', () => ({ ok: true }));
    await app.listen({ port: 0, host: '127.0.0.1' });
    const { port } = app.server.address() as { port: number };
    const sockets: Socket[] = [];
    const open = async (): Promise<Socket> => {
      const socket = connect(port, '127.0.0.1');
      sockets.push(socket);
      await new Promise((resolve) => socket.once('connect', resolve));
      return socket;
    };
    /** One request on a kept-alive socket; resolves with the raw answer, or '' if the socket closed first. */
    const send = (socket: Socket, request: string) =>
      new Promise<string>((resolve) => {
        let answer = '';
        const onData = (chunk: Buffer) => {
          answer += chunk.toString('utf8');
          if (/\r\n\r\n[\s\S]*\}$/.test(answer)) done();
        };
        const done = () => {
          socket.off('data', onData);
          resolve(answer);
        };
        socket.on('data', onData);
        socket.once('close', done);
        socket.write(request);
      });
    const post =
      'POST /x HTTP/1.1\r\nhost: x\r\ncontent-type: application/json\r\ncontent-length: 2\r\n\r\n{}';
    try {
      const [a, b, c] = [await open(), await open(), await open()];
      // Let the server see the three connections before the first request.
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await send(a, post)).toMatch(/^HTTP\/1\.1 200/);
      expect(await send(b, post)).toMatch(/^HTTP\/1\.1 200/);
      const refused = await send(c, post);
      expect(refused).toMatch(/^HTTP\/1\.1 503/);
      expect(refused).toMatch(/\r\nretry-after: 1\r\n/i);
      expect(refused).toMatch(/\r\nconnection: close\r\n/i);
      expect(refused).toContain('"reason":"connections"');
      expect(shed).toEqual(['connections']);
      // The refused connection is closed by the server; other routes are never shed.
      await new Promise((resolve) => (c.destroyed ? resolve(null) : c.once('close', resolve)));
      const d = await open();
      expect(await send(d, 'GET /health HTTP/1.1\r\nhost: x\r\n\r\n')).toMatch(/^HTTP\/1\.1 200/);
      // Once the first connections are gone, a new one is admitted again.
      a.destroy();
      b.destroy();
      d.destroy();
      await new Promise((resolve) => setTimeout(resolve, 50));
      expect(await send(await open(), post)).toMatch(/^HTTP\/1\.1 200/);
    } finally {
      sockets.forEach((s) => s.destroy());
      await app.close();
    }
  });
});
