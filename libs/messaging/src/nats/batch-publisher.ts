import {
  createInbox,
  headers as natsHeaders,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';
import { EventHeaders, type EventEnvelope } from '@ihf/contracts';
import { BusPermissionError, PermissionWatch } from '../auth/permission-watch.js';

/** One message of a batch: subject, body, and headers (with `Nats-Msg-Id` for dedupe). */
export interface BatchMessage {
  readonly subject: string;
  readonly data: string | Uint8Array;
  readonly headers: MsgHdrs;
}

type Settle = (error?: Error) => void;

/**
 * NATS or JetStream answered "no" for this one message (as opposed to no answer at all: an
 * outage). `permanent`: sending it again can never succeed (it is larger than the server or
 * the stream accepts), so a relay sets it aside instead of retrying.
 */
export class MessageRefusedError extends Error {
  constructor(
    message: string,
    readonly permanent: boolean,
  ) {
    super(message);
    this.name = 'MessageRefusedError';
  }
}

/** JetStream error codes that no retry can fix: message or headers over the stream's limit. */
const PERMANENT_JETSTREAM_ERRORS = new Set([10054, 10097]);

/**
 * The headers every relayed event carries: its id for dedupe, and its chain for tracing
 * (correlation and causation ids; W3C `traceparent`/`tracestate` when the event has them).
 */
export function envelopeHeaders(
  envelope: Pick<
    EventEnvelope,
    'event_id' | 'correlation_id' | 'causation_id' | 'producer' | 'traceparent' | 'tracestate'
  >,
): MsgHdrs {
  const h = natsHeaders();
  h.set(EventHeaders.MessageId, envelope.event_id);
  h.set(EventHeaders.CorrelationId, envelope.correlation_id);
  if (envelope.causation_id) h.set(EventHeaders.CausationId, envelope.causation_id);
  h.set(EventHeaders.Producer, envelope.producer);
  if (envelope.traceparent) h.set(EventHeaders.TraceParent, envelope.traceparent);
  if (envelope.tracestate) h.set(EventHeaders.TraceState, envelope.tracestate);
  return h;
}

/** Writes OpenTelemetry's propagation fields into NATS headers. */
export const natsHeaderSetter = {
  set(carrier: MsgHdrs, key: string, value: string): void {
    carrier.set(key, value);
  },
};

/** Reads OpenTelemetry's propagation fields from NATS headers (absent headers: none). */
export const natsHeaderGetter = {
  keys(carrier: MsgHdrs | undefined): string[] {
    return carrier ? carrier.keys() : [];
  },
  get(carrier: MsgHdrs | undefined, key: string): string | undefined {
    return carrier?.has(key) ? carrier.get(key) : undefined;
  },
};

/**
 * Publishes batches of messages to JetStream and resolves once every one is acknowledged (or
 * rejects on the first refusal, or when the batch is not acknowledged in time).
 *
 * What `js.publish` does per message, done once per batch instead: `js.publish` is a request
 * (a reply subject, a timer, a promise and error objects per message), which made the relay of
 * a busy table spend more CPU in nats.js than in everything else. Here every message is a
 * plain publish whose reply subject is a token under one wildcard subscription; the stream's
 * acknowledgement (`{"stream":…,"seq":…}`, or `{"error":…}`) or the server's 503 status (no
 * stream captures the subject) arrives there; one timer covers the batch.
 */
export class BatchPublisher {
  private readonly prefix: string;
  private readonly subscription: Subscription;
  private readonly pending = new Map<string, Settle>();
  /** Subject of each pending token, to fail the ones the server refused to take. */
  private readonly subjects = new Map<string, string>();
  private readonly stopWatching: () => void;
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    // On the connection's own inbox prefix: a user may only read its own replies.
    this.prefix = createInbox((nc as { options?: { inboxPrefix?: string } }).options?.inboxPrefix);
    this.subscription = nc.subscribe(`${this.prefix}.*`, {
      callback: (error, msg) => {
        if (!error) this.acknowledged(msg);
      },
    });
    // A publish the user's permissions forbid is dropped by the server, which says so only on
    // the connection's status: fail those messages now (not after the timeout, as an outage).
    this.stopWatching = PermissionWatch.of(nc).onViolation((violation) => {
      if (violation.operation !== 'publish') return;
      for (const [token, subject] of this.subjects) {
        if (subject !== violation.subject) continue;
        const settle = this.pending.get(token);
        this.pending.delete(token);
        this.subjects.delete(token);
        settle?.(new MessageRefusedError(new BusPermissionError(violation).message, false));
      }
    });
  }

  /** Publishes `messages`; resolves when JetStream has stored (or deduplicated) all of them. */
  async publishAll(messages: readonly BatchMessage[], timeoutMs: number): Promise<void> {
    const failure = (await this.publishEach(messages, timeoutMs)).find((e) => e !== undefined);
    if (failure) throw failure;
  }

  /**
   * Publishes `messages`; resolves, once each is acknowledged, refused or out of time, with
   * each one's outcome (undefined: stored or deduplicated).
   */
  publishEach(
    messages: readonly BatchMessage[],
    timeoutMs: number,
  ): Promise<(Error | undefined)[]> {
    const outcomes: (Error | undefined)[] = messages.map(() => undefined);
    if (messages.length === 0) return Promise.resolve(outcomes);
    return new Promise((resolve) => {
      const open = new Map<string, number>(); // token → index, until settled
      let sent = false;
      const finish = () => {
        clearTimeout(timer);
        for (const t of open.keys()) {
          this.pending.delete(t);
          this.subjects.delete(t);
        }
        resolve(outcomes);
      };
      const timer = setTimeout(() => {
        const late = new Error(
          `JetStream did not acknowledge ${open.size} of ${messages.length} messages within ${timeoutMs} ms`,
        );
        for (const i of open.values()) outcomes[i] = late;
        finish();
      }, timeoutMs);
      messages.forEach((m, i) => {
        const token = (this.next++).toString(36);
        open.set(token, i);
        this.subjects.set(token, m.subject);
        this.pending.set(token, (error) => {
          outcomes[i] = error;
          open.delete(token);
          if (sent && open.size === 0) finish();
        });
        try {
          this.nc.publish(m.subject, m.data, {
            reply: `${this.prefix}.${token}`,
            headers: m.headers,
          });
        } catch (error) {
          // Over the server's max_payload: this message alone, for good. Otherwise the
          // connection is closed or draining: this one (and the rest) cannot be sent now.
          const text = error instanceof Error ? error.message : String(error);
          this.pending.get(token)?.(
            /max_payload/i.test(text)
              ? new MessageRefusedError(`NATS refused the message: ${text}`, true)
              : error instanceof Error
                ? error
                : new Error(text),
          );
          this.pending.delete(token);
          this.subjects.delete(token);
        }
      });
      sent = true;
      if (open.size === 0) finish();
    });
  }

  /** Stops listening for acknowledgements; outstanding batches time out. */
  close(): void {
    this.subscription.unsubscribe();
    this.stopWatching();
  }

  private acknowledged(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const settle = this.pending.get(token);
    if (!settle) return; // late, after its batch timed out or failed
    this.pending.delete(token);
    this.subjects.delete(token);
    if (msg.headers?.hasError) {
      settle(
        new MessageRefusedError(
          msg.headers.code === 503
            ? 'no JetStream stream captures this subject (503 no responders)'
            : `JetStream refused the message: ${msg.headers.code} ${msg.headers.description}`,
          false,
        ),
      );
      return;
    }
    const body = msg.string();
    // An acknowledgement is {"stream":…,"seq":…[,"duplicate":true]}; anything else is a refusal.
    if (!body.includes('"error"') && body.includes('"seq"')) {
      settle();
      return;
    }
    let description = body;
    let permanent = false;
    try {
      const parsed = JSON.parse(body) as {
        error?: { description?: string; code?: number; err_code?: number };
      };
      description = `${parsed.error?.code ?? ''} ${parsed.error?.description ?? body}`.trim();
      permanent = PERMANENT_JETSTREAM_ERRORS.has(parsed.error?.err_code ?? 0);
    } catch {
      // not JSON: keep the raw text
    }
    settle(new MessageRefusedError(`JetStream refused the message: ${description}`, permanent));
  }
}
