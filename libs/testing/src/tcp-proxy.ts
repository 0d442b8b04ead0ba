import { createServer, Socket, type Server } from 'node:net';

/** One direction of a proxied connection; holds what it reads while the proxy is silent. */
class Direction {
  private held: Buffer[] = [];
  private ended = false;

  constructor(
    from: Socket,
    private readonly to: Socket,
    silent: () => boolean,
  ) {
    from.on('data', (chunk: Buffer) => {
      if (silent()) this.held.push(chunk);
      else to.write(chunk);
    });
    from.on('end', () => {
      this.ended = true;
      if (!silent()) to.end();
    });
  }

  /** Delivers what was held (and the end of stream, if it came meanwhile). */
  flush(): void {
    for (const chunk of this.held) this.to.write(chunk);
    this.held = [];
    if (this.ended) this.to.end();
  }
}

/**
 * A TCP proxy a test puts between a component and Postgres or NATS, to simulate an outage
 * without stopping the shared servers: `cut()` drops every open connection and refuses new
 * ones, `blackHole()` keeps connections open but lets nothing through (a silent link: bytes
 * are held, as TCP retransmission would, and delivered on `restore()`), `restore()` lets
 * everything through again. Listens on 127.0.0.1 on a free port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private readonly directions = new Set<Direction>();
  private open = true;
  private silent = false;

  private constructor(
    private readonly targetHost: string,
    private readonly targetPort: number,
  ) {}

  /** Starts a proxy to `host:port`. */
  static async start(targetHost: string, targetPort: number): Promise<TcpProxy> {
    const proxy = new TcpProxy(targetHost, targetPort);
    await proxy.listen();
    return proxy;
  }

  /** Starts a proxy to the host and port of a URL (postgres://…, nats://…). */
  static async forUrl(url: string, defaultPort: number): Promise<TcpProxy> {
    const u = new URL(url.split(',')[0]);
    return TcpProxy.start(u.hostname, Number(u.port || defaultPort));
  }

  /** The port the proxy listens on. */
  get port(): number {
    const address = this.server?.address();
    if (!address || typeof address === 'string') throw new Error('proxy is not listening');
    return address.port;
  }

  /** `url` with its host and port replaced by the proxy's. */
  rewrite(url: string): string {
    const u = new URL(url);
    u.hostname = '127.0.0.1';
    u.port = String(this.port);
    return u.toString().replace(/\/$/, url.endsWith('/') ? '/' : '');
  }

  /** Drops every connection and refuses new ones until `restore()`. */
  cut(): void {
    this.open = false;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  /**
   * Keeps every connection (and accepts new ones) but forwards nothing in either direction
   * until `restore()`, like a link that stopped answering without closing.
   */
  blackHole(): void {
    this.silent = true;
  }

  /** Lets connections through again (delivering what a black hole held). */
  restore(): void {
    this.open = true;
    if (this.silent) {
      this.silent = false;
      for (const d of this.directions) d.flush();
    }
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async listen(): Promise<void> {
    // Half-open allowed: an end of stream is forwarded like the data before it (held by a black
    // hole too), and each side closes once both directions have ended.
    this.server = createServer({ allowHalfOpen: true }, (client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = new Socket({ allowHalfOpen: true });
      this.sockets.add(client).add(upstream);
      const directions: Direction[] = [];
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
        for (const d of directions) this.directions.delete(d);
      };
      client.on('error', drop).on('close', drop);
      upstream.on('error', drop).on('close', drop);
      upstream.connect(this.targetPort, this.targetHost, () => {
        directions.push(
          new Direction(client, upstream, () => this.silent),
          new Direction(upstream, client, () => this.silent),
        );
        for (const d of directions) this.directions.add(d);
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
  }
}
