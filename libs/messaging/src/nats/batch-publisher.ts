import {
  createInbox,
  type Msg,
  type MsgHdrs,
  type NatsConnection,
  type Subscription,
} from '@nats-io/nats-core';

/** One message of a batch: subject, body, and headers (with `Nats-Msg-Id` for dedupe). */
export interface BatchMessage {
  readonly subject: string;
  readonly data: string | Uint8Array;
  readonly headers: MsgHdrs;
}

type Settle = (error?: Error) => void;

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
  private next = 0;

  constructor(private readonly nc: NatsConnection) {
    this.prefix = createInbox();
    this.subscription = nc.subscribe(`${this.prefix}.*`, {
      callback: (error, msg) => {
        if (!error) this.acknowledged(msg);
      },
    });
  }

  /** Publishes `messages`; resolves when JetStream has stored (or deduplicated) all of them. */
  publishAll(messages: readonly BatchMessage[], timeoutMs: number): Promise<void> {
    if (messages.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      const tokens: string[] = [];
      let remaining = messages.length;
      let done = false;
      const finish = (error?: Error) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        for (const t of tokens) this.pending.delete(t);
        if (error) reject(error);
        else resolve();
      };
      const timer = setTimeout(
        () =>
          finish(
            new Error(
              `JetStream did not acknowledge ${remaining} of ${messages.length} messages within ${timeoutMs} ms`,
            ),
          ),
        timeoutMs,
      );
      const settle: Settle = (error) => {
        if (error) finish(error);
        else if (--remaining === 0) finish();
      };
      try {
        for (const m of messages) {
          const token = (this.next++).toString(36);
          tokens.push(token);
          this.pending.set(token, settle);
          this.nc.publish(m.subject, m.data, {
            reply: `${this.prefix}.${token}`,
            headers: m.headers,
          });
        }
      } catch (error) {
        // The connection is closed or draining: nothing more can be sent.
        finish(error instanceof Error ? error : new Error(String(error)));
      }
    });
  }

  /** Stops listening for acknowledgements; outstanding batches time out. */
  close(): void {
    this.subscription.unsubscribe();
  }

  private acknowledged(msg: Msg): void {
    const token = msg.subject.slice(this.prefix.length + 1);
    const settle = this.pending.get(token);
    if (!settle) return; // late, after its batch timed out or failed
    this.pending.delete(token);
    if (msg.headers?.hasError) {
      settle(
        new Error(
          msg.headers.code === 503
            ? 'no JetStream stream captures this subject (503 no responders)'
            : `JetStream refused the message: ${msg.headers.code} ${msg.headers.description}`,
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
    try {
      const parsed = JSON.parse(body) as { error?: { description?: string; code?: number } };
      description = `${parsed.error?.code ?? ''} ${parsed.error?.description ?? body}`.trim();
    } catch {
      // not JSON: keep the raw text
    }
    settle(new Error(`JetStream refused the message: ${description}`));
  }
}
