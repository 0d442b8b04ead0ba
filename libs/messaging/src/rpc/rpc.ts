import { randomUUID } from 'node:crypto';
import { firstValueFrom, timeout as rxTimeout, TimeoutError } from 'rxjs';
import { ClientNats, NatsRecordBuilder, ServerNats } from '@nestjs/microservices';
import { EmptyResponseException } from '@nestjs/microservices/errors/empty-response.exception.js';
import {
  NoRespondersError,
  RequestError,
  TimeoutError as NatsTimeoutError,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
} from '@nats-io/nats-core';
import { type NatsConnection } from '@nats-io/transport-node';
import {
  RequestContext,
  SpanKind,
  contextFromCarrier,
  inSpan,
  injectTraceContext,
} from '@ihf/observability';
import { natsHeaderGetter, natsHeaderSetter } from '../nats/batch-publisher.js';
import { EventHeaders, physicalSubject } from '@ihf/contracts';
import { natsSecurityOptions, type NatsSecurityOptions } from '../auth/nats-credentials.js';
import { BusPermissionError, PermissionWatch } from '../auth/permission-watch.js';

/**
 * Request/reply subjects (the few synchronous look-ups between services) follow
 * `ihf.rpc.<owner>.<aggregate>.<query>.v<N>`, e.g. `ihf.rpc.ingestion.widget.get.v1`.
 */
export const RPC_PATTERN =
  /^ihf\.rpc\.[a-z][a-z0-9_-]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$/;

/** The owner did not answer in time (or nobody serves the subject): a retryable condition. */
export class RpcUnavailableError extends Error {
  constructor(pattern: string, cause?: unknown) {
    super(`No answer from ${pattern}`, { cause });
    this.name = 'RpcUnavailableError';
  }
}

/** The owner answered with an error. */
export class RpcRemoteError extends Error {
  constructor(
    pattern: string,
    readonly remote: unknown,
  ) {
    super(`${pattern} failed: ${typeof remote === 'string' ? remote : JSON.stringify(remote)}`);
    this.name = 'RpcRemoteError';
  }
}

/**
 * The server side of request/reply: Nest's NATS transport, with each `@MessagePattern` subject
 * placed in the bus namespace, served by a queue group named after the service (one replica
 * answers), and the caller's correlation id restored into the RequestContext.
 * Use with `app.connectMicroservice({ strategy: new NamespacedNatsServer(...) })`.
 */
export class NamespacedNatsServer extends ServerNats {
  private readonly namespace: string;
  private readonly queue: string;

  constructor(options: {
    natsUrl: string;
    service: string;
    namespace: string;
    /** Credentials and TLS (default: from the environment, see `natsSecurityOptions`). */
    security?: NatsSecurityOptions;
  }) {
    super({
      servers: options.natsUrl.split(','),
      name: `${options.service}-rpc`,
      ...(options.security ?? natsSecurityOptions(options.service)),
      queue: options.service,
      // Nest's NATS server never reconnects once its connection closes: keep reconnecting.
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
      gracefulShutdown: true,
      gracePeriod: 2_000,
    });
    this.namespace = options.namespace;
    this.queue = options.service;
  }

  override bindEvents(client: NatsConnection): void {
    // ServerNats keeps its subscriptions private; close() unsubscribes what is in that list.
    const subscriptions = (this as unknown as { subscriptions: { unsubscribe(): void }[] })
      .subscriptions;
    for (const channel of this.messageHandlers.keys()) {
      const sub = client.subscribe(physicalSubject(this.namespace, channel), {
        queue: this.queue,
        // Look the handler up by the logical pattern, whatever the namespace.
        callback: (this.getMessageHandler(channel) as (err: Error | null, msg: Msg) => void).bind(
          this,
        ),
      });
      subscriptions.push(sub);
    }
  }

  override async handleMessage(channel: string, natsMsg: Msg): Promise<void> {
    const correlationId = natsMsg.headers?.get(EventHeaders.CorrelationId) || randomUUID();
    // The answer's span continues the caller's trace (its `traceparent` header).
    await inSpan(
      `rpc ${channel}`,
      {
        kind: SpanKind.SERVER,
        parent: contextFromCarrier(natsMsg.headers, natsHeaderGetter),
        attributes: { 'rpc.system': 'nats', 'rpc.method': channel },
      },
      () =>
        RequestContext.run({ correlationId, requestId: randomUUID() }, async () => {
          await super.handleMessage(channel, natsMsg);
        }),
    );
  }
}

/**
 * The client side of request/reply, over Nest's NATS client: namespaced subjects, a timeout,
 * the correlation id in a header, and errors that say whether retrying may help.
 */
export class RpcClient {
  private readonly client: ClientNats;

  constructor(
    options: {
      natsUrl: string;
      service: string;
      namespace: string;
      /** Credentials and TLS (default: from the environment, see `natsSecurityOptions`). */
      security?: NatsSecurityOptions;
    },
    private readonly defaultTimeoutMs = 2_000,
    private readonly namespace = options.namespace,
  ) {
    this.client = new ClientNats({
      servers: options.natsUrl.split(','),
      name: `${options.service}-rpc-client`,
      ...(options.security ?? natsSecurityOptions(options.service)),
      maxReconnectAttempts: -1,
      reconnectTimeWait: 500,
      pingInterval: 10_000,
    });
  }

  private permissions?: PermissionWatch;

  async connect(): Promise<void> {
    // Nest types the connection loosely; it is nats.js's NatsConnection.
    const nc = (await this.client.connect()) as NatsConnection;
    // The server drops a request its user may not send and says so only on the connection's
    // status: watch it, so that such a request fails as refused rather than as "no answer".
    this.permissions = PermissionWatch.of(nc);
  }

  /** Sends `data` to `pattern` and resolves with the owner's answer. */
  async request<Res, Req = unknown>(
    pattern: string,
    data: Req,
    timeoutMs = this.defaultTimeoutMs,
  ): Promise<Res> {
    if (!RPC_PATTERN.test(pattern)) throw new Error(`Invalid RPC pattern '${pattern}'`);
    return inSpan(
      `rpc ${pattern}`,
      { kind: SpanKind.CLIENT, attributes: { 'rpc.system': 'nats', 'rpc.method': pattern } },
      () => this.send<Res, Req>(pattern, data, timeoutMs),
    );
  }

  private async send<Res, Req>(pattern: string, data: Req, timeoutMs: number): Promise<Res> {
    const h: MsgHdrs = natsHeaders();
    h.set(EventHeaders.CorrelationId, RequestContext.correlationId());
    injectTraceContext(h, natsHeaderSetter);
    const record = new NatsRecordBuilder(data).setHeaders(h).build();
    const subject = physicalSubject(this.namespace, pattern);
    const sentAt = Date.now();
    try {
      return await firstValueFrom(
        this.client.send<Res>(subject, record).pipe(rxTimeout(timeoutMs)),
      );
    } catch (error) {
      const refused = this.permissions
        ?.recent(Date.now() - sentAt + 1_000)
        .find((v) => v.operation === 'publish' && v.subject === subject);
      if (refused) throw new BusPermissionError(refused);
      if (error instanceof TimeoutError) throw new RpcUnavailableError(pattern, error);
      // Nest passes the NATS client's own errors through: nobody serving the subject, or the
      // request timing out inside the client, are both "unavailable", not a remote failure.
      // (A 503 "no responders" status arrives as an empty reply: EmptyResponseException.)
      if (
        error instanceof NoRespondersError ||
        error instanceof NatsTimeoutError ||
        error instanceof EmptyResponseException
      ) {
        throw new RpcUnavailableError(pattern, error);
      }
      // While disconnected, Nest's client rejects with a plain 'Connection lost' string or error.
      if (
        /connection (lost|closed)/i.test(
          typeof error === 'string' ? error : String((error as Error)?.message),
        )
      ) {
        throw new RpcUnavailableError(pattern, error);
      }
      if (error instanceof RequestError && error.isNoResponders())
        throw new RpcUnavailableError(pattern, error);
      throw new RpcRemoteError(pattern, error);
    }
  }

  async close(): Promise<void> {
    await this.client.close();
  }
}
