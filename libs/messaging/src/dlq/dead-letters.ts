import { type JetStreamClient, type JetStreamManager, type StoredMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  EventHeaders,
  STREAMS,
  deadLetterSubject,
  logicalSubject,
  physicalStreamName,
  physicalSubject,
} from '@ihf/contracts';

/** One dead letter as an operator sees it. */
export interface DeadLetter {
  /** Its sequence in the IHF_DLQ stream: the id to show, replay or discard it by. */
  readonly seq: number;
  /** When it was dead-lettered. */
  readonly time: Date;
  /** The durable consumer that gave up on it. */
  readonly consumer: string;
  /** Why (Ihf-Dead-Letter-Reason). */
  readonly reason: string;
  /** The logical subject and stream it was consumed from. */
  readonly subject: string;
  readonly stream: string;
  /** JetStream deliveries when it was given up. */
  readonly deliveries: number;
  /** The envelope's event id, when the payload is an envelope. */
  readonly eventId: string | null;
  /** The message as the consumer received it (UTF-8). */
  readonly payload: string;
  /** Headers of the original message (dead-letter headers excluded). */
  readonly headers: Record<string, string[]>;
}

const DEAD_LETTER_HEADERS = new Set(
  [
    EventHeaders.DeadLetterReason,
    EventHeaders.DeadLetterSubject,
    EventHeaders.DeadLetterStream,
    EventHeaders.DeadLetterConsumer,
    EventHeaders.DeadLetterDeliveries,
    EventHeaders.MessageId,
  ].map((h) => h.toLowerCase()),
);

/** What a replay did. */
export interface ReplayResult {
  readonly seq: number;
  /** The logical subject it was republished on. */
  readonly subject: string;
  /** Its Nats-Msg-Id on the original stream. */
  readonly msgId: string;
  /** False when JetStream dropped it as a duplicate of an earlier replay of the same letter. */
  readonly published: boolean;
}

/**
 * Lists, shows, replays and discards the dead letters of a bus namespace (the IHF_DLQ
 * stream). A replay republishes the message, with its original headers, on the subject it was
 * consumed from, under a new `Nats-Msg-Id` derived from the dead letter (`replay:<consumer>:<seq>`:
 * the original id may still be inside the stream's dedupe window, and replaying the same
 * letter twice within it publishes once), then removes the letter. Consumers deduplicate by
 * event id in their inbox, so the consumer that gave up handles it again while consumers that
 * had handled it already skip it.
 */
export class DeadLetterStore {
  private readonly stream: string;

  constructor(
    private readonly jsm: JetStreamManager,
    private readonly js: JetStreamClient,
    private readonly namespace: string,
  ) {
    this.stream = physicalStreamName(namespace, STREAMS.IHF_DLQ.name);
  }

  /** Dead letters, oldest first, of one consumer or of all; at most `limit`. */
  async list(options: { consumer?: string; limit?: number } = {}): Promise<DeadLetter[]> {
    const filter = physicalSubject(
      this.namespace,
      options.consumer ? deadLetterSubject(options.consumer) : deadLetterSubject('>'),
    );
    const limit = options.limit ?? Number.POSITIVE_INFINITY;
    const found: DeadLetter[] = [];
    let seq = 0;
    while (found.length < limit) {
      const msg = await this.jsm.streams
        // `next_by_subj` works on nats-server 2.9 too; the client's type only lacks it.
        .getMessage(this.stream, { seq: seq + 1, next_by_subj: filter } as { seq: number })
        .catch(notFoundAsNull);
      if (!msg) break;
      found.push(this.toDeadLetter(msg));
      seq = msg.seq;
    }
    return found;
  }

  /** One dead letter by its DLQ sequence, or null. */
  async get(seq: number): Promise<DeadLetter | null> {
    const msg = await this.jsm.streams.getMessage(this.stream, { seq }).catch(notFoundAsNull);
    return msg ? this.toDeadLetter(msg) : null;
  }

  /** Republishes a dead letter on its original subject and removes it; null when not found. */
  async replay(seq: number): Promise<ReplayResult | null> {
    const msg = await this.jsm.streams.getMessage(this.stream, { seq }).catch(notFoundAsNull);
    if (!msg) return null;
    const letter = this.toDeadLetter(msg);
    if (!letter.subject) throw new Error(`dead letter ${seq} has no original subject header`);
    const h = natsHeaders();
    for (const [k, values] of Object.entries(letter.headers))
      for (const v of values) h.append(k, v);
    const msgId = `replay:${letter.consumer}:${seq}`;
    const ack = await this.js.publish(physicalSubject(this.namespace, letter.subject), msg.data, {
      headers: h,
      msgID: msgId,
    });
    // Only once the original stream has it again.
    await this.discard(seq);
    return { seq, subject: letter.subject, msgId, published: !ack.duplicate };
  }

  /** Deletes a dead letter; false when it was not there. */
  async discard(seq: number): Promise<boolean> {
    return this.jsm.streams.deleteMessage(this.stream, seq, false).catch((error: unknown) => {
      if (isNotFound(error)) return false;
      throw error;
    });
  }

  private toDeadLetter(msg: StoredMsg): DeadLetter {
    const header = (name: string) => msg.header?.get(name) ?? '';
    const headers: Record<string, string[]> = {};
    for (const [k, values] of msg.header ?? []) {
      if (!DEAD_LETTER_HEADERS.has(k.toLowerCase())) headers[k] = [...values];
    }
    const payload = msg.string();
    let eventId: string | null = null;
    try {
      const parsed = JSON.parse(payload) as { event_id?: unknown };
      if (typeof parsed?.event_id === 'string') eventId = parsed.event_id;
    } catch {
      // Not JSON: that may be why it is here.
    }
    const consumer =
      header(EventHeaders.DeadLetterConsumer) ||
      logicalSubject(this.namespace, msg.subject).replace(/^ihf\.dlq\./, '');
    return {
      seq: msg.seq,
      time: msg.time,
      consumer,
      reason: header(EventHeaders.DeadLetterReason),
      subject: header(EventHeaders.DeadLetterSubject),
      stream: header(EventHeaders.DeadLetterStream),
      deliveries: Number(header(EventHeaders.DeadLetterDeliveries)) || 0,
      eventId,
      payload,
      headers,
    };
  }
}

function isNotFound(error: unknown): boolean {
  const { code, message } = error as { code?: unknown; message?: unknown };
  // JetStream API errors 10037 (no message found) and 10057 (message delete failed: not there).
  return (
    code === 10037 ||
    code === 10057 ||
    code === 404 ||
    (typeof message === 'string' && /no message found|not found/i.test(message))
  );
}

function notFoundAsNull(error: unknown): null {
  if (isNotFound(error)) return null;
  throw error;
}
