import type { Socket } from 'node:net';
import { performance } from 'node:perf_hooks';
import type { FastifyInstance } from 'fastify';
import { type DomainError, PROBLEM_CONTENT_TYPE, toProblem } from '@ihf/observability';

/** Why a request was turned away. */
export type ShedReason = 'in_flight' | 'event_loop_delay' | 'connections';

export interface LoadSheddingOptions {
  /** `METHOD /path` of the routes to protect (query strings ignored), e.g. `POST /api/v1/interaction-events`. */
  readonly routes: readonly string[];
  /** Requests of those routes being worked on at once; one more is answered 503. */
  readonly maxInFlight: number;
  /**
   * Event-loop delay (ms) which, when every sample for `eventLoopDelayWindowMs` exceeds it,
   * gets new requests answered 503: the process is behind, not just paused once.
   */
  readonly maxEventLoopDelayMs: number;
  /**
   * Open connections of the server beyond which a newly accepted connection is marked as
   * overflow: its requests to `routes` are answered 503 + `Connection: close` at once, whatever
   * the other bounds say. A connection storm then costs a short answer per socket instead of
   * thousands of sockets held open while their requests queue. Unset: no bound.
   */
  readonly maxConnections?: number;
  /** How long the delay must stay above `maxEventLoopDelayMs` (default 1,000 ms). */
  readonly eventLoopDelayWindowMs?: number;
  /**
   * The service's error for a refusal (a 503 with `retryAfterSeconds`), answered as every
   * other problem is (`toProblem`), e.g. ingestion's `OverloadedError`.
   */
  readonly refuse: (reason: ShedReason) => DomainError;
  /** Called for every shed request (metrics). */
  readonly onShed?: (reason: ShedReason) => void;
}

/** How long the sampler sleeps between event-loop delay samples. */
const SAMPLE_INTERVAL_MS = 10;

/**
 * Admission control for the routes that take work in volume (the reporting endpoint): when
 * more requests are being worked on than `maxInFlight`, or the event loop is running late,
 * new ones are answered 503 + `Retry-After` at once, before their body is parsed or anything
 * is stored. Without it an overload is absorbed as latency: every request is eventually
 * accepted, but after tens of seconds, and the queue takes as long again to drain. A 503
 * costs a fraction of an accepted request, so the process keeps serving at its capacity and
 * clients (the SDK included) back off by `Retry-After`.
 *
 * By Little's law the in-flight bound is a latency bound: at a throughput of T requests/s,
 * admitted requests wait at most about `maxInFlight / T` s. The event-loop delay catches the
 * other queue, requests already in the sockets that the process has not read yet.
 */
export class LoadShedder {
  private inFlightCount = 0;
  private lastTick = performance.now();
  private lastDelay = 0;
  /** Since when every sample has been above the bound (undefined: the last one was not). */
  private behindSince?: number;
  private readonly windowMs: number;
  private readonly sampler: NodeJS.Timeout;

  constructor(private readonly options: LoadSheddingOptions) {
    this.windowMs = options.eventLoopDelayWindowMs ?? 1_000;
    this.sampler = setInterval(() => {
      const now = performance.now();
      this.lastDelay = Math.max(0, now - this.lastTick - SAMPLE_INTERVAL_MS);
      this.lastTick = now;
      if (this.lastDelay <= this.options.maxEventLoopDelayMs) this.behindSince = undefined;
      // From the first late sample on: a single pause, however long, is followed by a timely
      // sample and never reaches the window.
      else this.behindSince ??= now;
    }, SAMPLE_INTERVAL_MS);
    this.sampler.unref();
  }

  /** Requests of the protected routes being worked on now. */
  get inFlight(): number {
    return this.inFlightCount;
  }

  /** The last sampled event-loop delay (ms). */
  eventLoopDelayMs(): number {
    return this.lastDelay;
  }

  /**
   * Why a new request must be refused now, or undefined to admit it. One long pause (a GC, a
   * large body) does not count as being behind; only a delay that has lasted the window does.
   */
  refusal(): ShedReason | undefined {
    if (this.inFlightCount >= this.options.maxInFlight) return 'in_flight';
    if (this.behindSince !== undefined && performance.now() - this.behindSince >= this.windowMs)
      return 'event_loop_delay';
    return undefined;
  }

  /** Counts a request in until `done` is called (once; later calls do nothing). */
  admit(): () => void {
    this.inFlightCount++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.inFlightCount--;
    };
  }

  stop(): void {
    clearInterval(this.sampler);
  }
}

/**
 * Installs a {@link LoadShedder} in front of `options.routes` (an `onRequest` hook: before
 * body parsing, authentication and validation). Other routes (health, metrics, admin) are
 * never shed. The shedder stops with the server.
 */
export function installLoadShedding(
  fastify: FastifyInstance,
  options: LoadSheddingOptions,
): LoadShedder {
  if (!(options.maxInFlight >= 1)) throw new Error('maxInFlight must be at least 1');
  const shedder = new LoadShedder(options);
  const routes = new Set(options.routes);
  // Connections accepted while more than `maxConnections` were open: answered, then closed.
  const overflow = new WeakSet<Socket>();
  const maxConnections = options.maxConnections;
  if (maxConnections !== undefined) {
    if (!(maxConnections >= 1)) throw new Error('maxConnections must be at least 1');
    let open = 0;
    // Counted at accept time, before any byte is parsed: the in-flight bound only sees
    // requests that reached the router, a storm of new connections is seen here.
    fastify.server.on('connection', (socket: Socket) => {
      open++;
      if (open > maxConnections) overflow.add(socket);
      socket.once('close', () => open--);
    });
  }
  fastify.addHook('onRequest', (request, reply, done) => {
    const path = request.url.split('?')[0] ?? '/';
    if (!routes.has(`${request.method} ${path}`)) return done();
    const overflowing = overflow.has(request.raw.socket);
    const reason = overflowing ? 'connections' : shedder.refusal();
    if (reason === undefined) {
      const release = shedder.admit();
      // 'finish' after the answer; 'close' also when the client goes away mid-request.
      reply.raw.once('finish', release);
      reply.raw.once('close', release);
      return done();
    }
    options.onShed?.(reason);
    const { problem, retryAfterSeconds } = toProblem(options.refuse(reason), path);
    if (retryAfterSeconds !== undefined)
      void reply.header('retry-after', String(retryAfterSeconds));
    // A shed connection is not kept alive: its socket is what the bound frees.
    if (overflowing) void reply.header('connection', 'close');
    void reply.code(problem.status).type(PROBLEM_CONTENT_TYPE).send(problem);
  });
  fastify.addHook('onClose', (_instance, done) => {
    shedder.stop();
    done();
  });
  return shedder;
}
