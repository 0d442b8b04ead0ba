import { Client } from 'pg';
import { type Logger } from '../logger.js';

/** Callbacks for listeners that act on each notification rather than wait for one. */
export interface NotificationHooks {
  /** Every notification on the channel, with its payload. */
  readonly onNotification?: (payload: string | undefined) => void;
  /** The session came up (true) or went down (false): notifications in between are lost. */
  readonly onConnectionChange?: (connected: boolean) => void;
}

export interface NotificationListenerOptions {
  /**
   * Makes the session a lease (for leadership held by an advisory lock on it): the server
   * ends the session once it has been silent this long (`idle_session_timeout`, with TCP
   * keepalives and `tcp_user_timeout` for a dead peer), which releases its locks; this side
   * sends a heartbeat five times per lease and drops the session itself when one goes
   * unanswered for two fifths of it, so it stops leading before the server lets another
   * replica take over. Without it, a leader whose link died silently keeps its lock until the
   * server notices: minutes, or hours.
   */
  readonly leaseMs?: number;
}

/** How often waiters poll while the session is down (no notification can arrive then). */
const DOWN_POLL_MS = 500;
/** Reconnect attempts back off up to this: the database's return is noticed within it. */
const MAX_RECONNECT_DELAY_MS = 500;

/**
 * A dedicated Postgres session LISTENing on one channel. `wait(ms)` resolves on the next
 * notification or after `ms`, whichever comes first; a notification that arrives while nobody
 * waits is remembered, so none is missed between two waits. While the session is down, no
 * notification can wake anyone: waits are cut to a short poll, and reconnecting (which wakes
 * the waiter) is retried every half second, so a caller resumes within about a second of the
 * database's return instead of after its own (or a reconnect) back-off.
 */
export class NotificationListener {
  private client?: Client;
  private signalled = false;
  private wake?: () => void;
  private stopped = false;
  private reconnectTimer?: NodeJS.Timeout;
  private generation = 0;

  private heartbeat?: NodeJS.Timeout;

  constructor(
    private readonly databaseUrl: string,
    private readonly channel: string,
    private readonly logger: Logger,
    private readonly hooks: NotificationHooks = {},
    private readonly options: NotificationListenerOptions = {},
  ) {}

  async start(): Promise<void> {
    this.stopped = false;
    await this.connect().catch((error: unknown) => this.scheduleReconnect(error));
  }

  /** Resolves on a notification or after `timeoutMs`. */
  async wait(timeoutMs: number): Promise<void> {
    if (this.signalled || this.stopped) {
      this.signalled = false;
      return;
    }
    if (!this.client) timeoutMs = Math.min(timeoutMs, DOWN_POLL_MS);
    await new Promise<void>((resolve) => {
      const done = () => {
        clearTimeout(timer);
        this.wake = undefined;
        this.signalled = false;
        resolve();
      };
      const timer = setTimeout(done, timeoutMs);
      this.wake = done;
    });
  }

  /**
   * Tries to take a session-level advisory lock on this listener's connection (used to elect
   * one leader among replicas). Returns the connection generation holding it, or undefined.
   * The lock is lost when the connection is: compare with `currentGeneration`.
   */
  async tryAdvisoryLock(key: string): Promise<number | undefined> {
    const client = this.client;
    if (!client) return undefined;
    const result = await client.query<{ locked: boolean }>(
      'SELECT pg_try_advisory_lock(hashtextextended($1, 0)) AS locked',
      [key],
    );
    return result.rows[0]?.locked ? this.generation : undefined;
  }

  /** Increases each time the session is (re)connected; 0 while never connected. */
  get currentGeneration(): number {
    return this.client ? this.generation : -1;
  }

  /** Wakes a waiter now (used on shutdown). */
  interrupt(): void {
    this.signalled = true;
    this.wake?.();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.heartbeat);
    this.interrupt();
    const client = this.client;
    if (!client) return;
    // end() waits for the server to close the session; on a link that silently died it would
    // wait forever, so it gets two seconds before the socket is torn down.
    let timer: NodeJS.Timeout | undefined;
    const gaveUp = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(true), 2_000);
    });
    const ended = client.end().then(
      () => false,
      () => false,
    );
    if (await Promise.race([ended, gaveUp])) destroySocket(client);
    clearTimeout(timer);
  }

  private async connect(): Promise<void> {
    // keepAlive and a connect timeout: a silently dropped link must not hang start-up or leave
    // a half-open LISTEN session (and its advisory lock) unnoticed.
    const client = new Client({
      connectionString: this.databaseUrl,
      keepAlive: true,
      keepAliveInitialDelayMillis: 1_000,
      connectionTimeoutMillis: 5_000,
    });
    client.on('notification', (message) => {
      this.interrupt();
      this.hooks.onNotification?.(message.payload);
    });
    client.on('error', (error) => {
      this.logger.warn({ err: error, channel: this.channel }, 'outbox listener connection failed');
      if (this.client === client) {
        this.client = undefined;
        this.hooks.onConnectionChange?.(false);
      }
      void client.end().catch(() => undefined);
      this.scheduleReconnect(error);
    });
    client.on('end', () => {
      if (this.client !== client) return;
      this.client = undefined;
      this.hooks.onConnectionChange?.(false);
      this.scheduleReconnect(new Error('connection ended'));
    });
    // The set-up queries get the connect timeout too: a link that goes silent right after
    // connecting would otherwise leave this attempt (and every later one) pending forever.
    let setupTimer: NodeJS.Timeout | undefined;
    const setupTimeout = new Promise<never>((_, reject) => {
      setupTimer = setTimeout(() => {
        destroySocket(client);
        reject(new Error('listener session set-up timed out'));
      }, 10_000);
    });
    try {
      await Promise.race([this.setUp(client), setupTimeout]);
    } catch (error) {
      await client.end().catch(() => undefined);
      throw error;
    } finally {
      clearTimeout(setupTimer);
    }
    this.client = client;
    this.generation++;
    if (this.options.leaseMs !== undefined) this.startHeartbeat(client, this.options.leaseMs);
    this.hooks.onConnectionChange?.(true);
    // Rows may have been written while we were not listening.
    this.interrupt();
  }

  private async setUp(client: Client): Promise<void> {
    await client.connect();
    const lease = this.options.leaseMs;
    if (lease !== undefined) {
      // Server side: a silent session is ended (and its locks released) after one lease; a
      // dead peer is noticed by keepalives and unacknowledged writes within it too.
      await client.query(
        `select set_config('idle_session_timeout', $1, false),
                set_config('tcp_user_timeout', $1, false),
                set_config('tcp_keepalives_idle', $2, false),
                set_config('tcp_keepalives_interval', '1', false),
                set_config('tcp_keepalives_count', '3', false)`,
        [String(lease), String(Math.max(1, Math.floor(lease / 3000)))],
      );
    }
    await client.query(`LISTEN "${this.channel}"`);
  }

  /** Keeps the lease alive, and gives the session up when the server stops answering. */
  private startHeartbeat(client: Client, leaseMs: number): void {
    clearInterval(this.heartbeat);
    let inFlight = false;
    const heartbeat = setInterval(() => {
      // This session is gone (a newer one has its own heartbeat).
      if (this.client !== client) return clearInterval(heartbeat);
      if (inFlight) return;
      inFlight = true;
      let timer: NodeJS.Timeout | undefined;
      const silent = new Promise<never>((_, reject) => {
        timer = setTimeout(
          () =>
            reject(new Error(`no answer to the lease heartbeat within ${(2 * leaseMs) / 5} ms`)),
          (2 * leaseMs) / 5,
        );
      });
      Promise.race([client.query('select 1'), silent])
        .catch((error: unknown) => this.dropSession(client, error))
        .finally(() => {
          clearTimeout(timer);
          inFlight = false;
        });
    }, leaseMs / 5);
    heartbeat.unref();
    this.heartbeat = heartbeat;
  }

  /** Gives a session up at once (its socket torn down) and reconnects. */
  private dropSession(client: Client, error: unknown): void {
    if (this.client !== client) return;
    this.logger.warn({ err: error, channel: this.channel }, 'listener session lost its lease');
    this.client = undefined;
    clearInterval(this.heartbeat);
    this.hooks.onConnectionChange?.(false);
    destroySocket(client);
    void client.end().catch(() => undefined);
    this.scheduleReconnect(error);
  }

  private scheduleReconnect(error: unknown, delayMs = 250): void {
    if (this.stopped || this.reconnectTimer) return;
    this.logger.debug({ err: error, channel: this.channel }, 'outbox listener reconnecting');
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = undefined;
      if (this.stopped) return;
      this.connect().catch((e: unknown) =>
        this.scheduleReconnect(e, Math.min(delayMs * 2, MAX_RECONNECT_DELAY_MS)),
      );
    }, delayMs);
    this.reconnectTimer.unref();
  }
}

/** Tears a session's socket down without waiting for the server (which may never answer). */
function destroySocket(client: Client): void {
  (
    client as unknown as { connection?: { stream?: { destroy(): void } } }
  ).connection?.stream?.destroy();
}
