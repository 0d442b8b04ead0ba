/**
 * Watches the namespace's IHF_EVENTS stream with an ordered consumer: which event ids arrive
 * (once each?) and the lag from the row's `received_at` (the time of the transaction that
 * stored it, i.e. just before its commit) to arrival here.
 */
import { type NatsConnection } from '@nats-io/nats-core';
import { jetstream, type ConsumerMessages } from '@nats-io/jetstream';
import { Histogram } from '../lib/hdr.ts';

// Any JSON spacing (an envelope built by Postgres would read `"received_at" : "…"`).
const RECEIVED_RE = /"received_at"\s*:\s*"([^"]+)"/;

export class RelayWatcher {
  readonly ids = new Set<string>();
  duplicates = 0;
  /** Called with each message's event id and stream sequence while set (the pipeline phase). */
  onMessage?: (id: string, seq: number) => void;
  /** received_at (epoch ms) and lag (ms) of each arrival. */
  private readonly receivedAt: number[] = [];
  private readonly lag: number[] = [];
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;

  async start(nc: NatsConnection, stream: string): Promise<void> {
    const consumer = await jetstream(nc).consumers.get(stream);
    this.messages = await consumer.consume({ max_messages: 5000 });
    const messages = this.messages;
    this.loop = (async () => {
      for await (const m of messages) {
        const now = Date.now();
        const id = m.headers?.get('Nats-Msg-Id') ?? '';
        if (this.ids.has(id)) this.duplicates++;
        else this.ids.add(id);
        this.onMessage?.(id, m.seq);
        const at = Date.parse(RECEIVED_RE.exec(m.string())?.[1] ?? '');
        if (!Number.isNaN(at)) {
          this.receivedAt.push(at);
          this.lag.push(now - at);
        }
      }
    })();
  }

  async stop(): Promise<void> {
    await this.messages?.close();
    await this.loop;
  }

  /** Lag percentiles of the events stored between `from` and `to` (epoch ms). */
  lagBetween(from: number, to: number): ReturnType<Histogram['summary']> {
    const h = new Histogram();
    for (let i = 0; i < this.receivedAt.length; i++) {
      const at = this.receivedAt[i];
      if (at >= from && at < to) h.record(this.lag[i] * 1000);
    }
    return h.summary();
  }

  /** Waits until `count` distinct ids arrived (or `timeoutMs`); returns how long it took. */
  async waitFor(count: number, timeoutMs: number): Promise<number> {
    const start = Date.now();
    while (this.ids.size < count && Date.now() - start < timeoutMs) {
      await new Promise((r) => setTimeout(r, 100));
    }
    return Date.now() - start;
  }
}
