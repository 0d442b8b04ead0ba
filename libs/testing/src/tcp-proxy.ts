import { createServer, Socket, type Server } from 'node:net';

/**
 * A TCP proxy a test puts between a component and Postgres or NATS, to simulate an outage
 * without stopping the shared servers: `cut()` drops every open connection and refuses new
 * ones, `restore()` lets them through again. Listens on 127.0.0.1 on a free port.
 */
export class TcpProxy {
  private server?: Server;
  private readonly sockets = new Set<Socket>();
  private open = true;
  private silent = false;
  /** Connections whose other side closed while black-holed. */
  private readonly orphans = new Set<Socket>();

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
    for (const s of [...this.sockets, ...this.orphans]) s.destroy();
    this.sockets.clear();
    this.orphans.clear();
  }

  /**
   * Keeps every connection open but forwards nothing either way, and accepts new connections
   * that go nowhere (a link that died silently: no reset, no close) until `restore()`.
   */
  blackhole(): void {
    this.silent = true;
  }

  /** Lets connections through again. */
  restore(): void {
    this.open = true;
    this.silent = false;
    for (const s of this.orphans) s.destroy();
    this.orphans.clear();
  }

  async close(): Promise<void> {
    this.cut();
    await new Promise<void>((resolve) =>
      this.server ? this.server.close(() => resolve()) : resolve(),
    );
  }

  private async listen(): Promise<void> {
    this.server = createServer((client) => {
      if (!this.open) {
        client.destroy();
        return;
      }
      const upstream = new Socket();
      this.sockets.add(client).add(upstream);
      const drop = () => {
        client.destroy();
        upstream.destroy();
        this.sockets.delete(client);
        this.sockets.delete(upstream);
      };
      // While black-holed, one side closing is not heard by the other either (it stays open
      // until `restore()` or `cut()`, as a peer would until the link returns and answers RST).
      const closed = (socket: Socket) => () => {
        if (!this.silent) return drop();
        socket.destroy();
        this.sockets.delete(socket);
        this.orphans.add(socket === client ? upstream : client);
      };
      client.on('error', closed(client)).on('close', closed(client));
      upstream.on('error', closed(upstream)).on('close', closed(upstream));
      upstream.connect(this.targetPort, this.targetHost, () => {
        // Forwarded by hand (not piped) so that `blackhole()` can swallow traffic.
        client.on('data', (data) => {
          if (!this.silent) upstream.write(data);
        });
        upstream.on('data', (data) => {
          if (!this.silent) client.write(data);
        });
      });
    });
    await new Promise<void>((resolve, reject) => {
      this.server!.once('error', reject);
      this.server!.listen(0, '127.0.0.1', () => resolve());
    });
  }
}
