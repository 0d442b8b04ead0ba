import { randomUUID } from 'node:crypto';
import {
  jetstream,
  jetstreamManager,
  type JetStreamClient,
  type StoredMsg,
} from '@nats-io/jetstream';
import { connect, type NatsConnection, type Subscription } from '@nats-io/transport-node';
import {
  EventHeaders,
  deadLetterSubject,
  physicalStreamName,
  physicalSubject,
  versionOfSubject,
  type EventEnvelope,
  type PayloadOf,
  type StreamName,
  type Subject,
} from '@ihf/contracts';
import { exemptFromSchemaCheck } from './event-schema-check.js';
import { harnessSecurity } from './authenticated-bus.js';
import { waitFor } from './wait-for.js';

/** Envelope fields a test may choose when publishing (the rest get sensible values). */
export interface TestPublishOptions {
  readonly eventId?: string;
  /** `Nats-Msg-Id`; defaults to the event id (a different one simulates a late redelivery). */
  readonly msgId?: string;
  readonly occurredAt?: Date;
  readonly producer?: string;
  readonly correlationId?: string;
  readonly hubId?: string | null;
  readonly aggregateId?: string | null;
  readonly aggregateVersion?: number | null;
  /**
   * Why this event breaks its subject's contract on purpose (to test that a consumer refuses
   * it): the test environment's schema check then does not count it.
   */
  readonly breaksContract?: string;
}

/** An envelope as read back from a stream. */
export type StoredEnvelope = EventEnvelope<Record<string, unknown>>;

/**
 * The bus as a test sees it, inside one test environment's namespace: publish events as
 * another service's relay would, answer request/reply look-ups as another service's Nest NATS
 * server would, and read back what a service published or dead-lettered. Stands in for the
 * services a test does not start; it is real NATS, not a mock.
 */
export class TestBus {
  private readonly responders: Subscription[] = [];

  private constructor(
    readonly nc: NatsConnection,
    readonly js: JetStreamClient,
    readonly namespace: string,
  ) {}

  static async connect(natsUrl: string, namespace: string): Promise<TestBus> {
    const nc = await connect({
      servers: natsUrl.split(','),
      name: 'ihf-test-bus',
      ...harnessSecurity(),
    });
    return new TestBus(nc, jetstream(nc), namespace);
  }

  async close(): Promise<void> {
    for (const s of this.responders.splice(0)) s.unsubscribe();
    await this.nc.close();
  }

  /** Publishes an event as its producer's relay would: namespaced, with `Nats-Msg-Id`. */
  async publish<S extends Subject>(
    subject: S,
    payload: PayloadOf<S>,
    options: TestPublishOptions = {},
  ): Promise<EventEnvelope<PayloadOf<S>, S>> {
    const envelope: EventEnvelope<PayloadOf<S>, S> = {
      event_id: options.eventId ?? randomUUID(),
      type: subject,
      version: versionOfSubject(subject),
      occurred_at: (options.occurredAt ?? new Date()).toISOString(),
      producer: options.producer ?? subject.split('.')[1],
      correlation_id: options.correlationId ?? randomUUID(),
      causation_id: null,
      hub_id: options.hubId ?? null,
      aggregate_id: options.aggregateId ?? null,
      aggregate_version: options.aggregateVersion ?? null,
      payload,
    };
    const msgId = options.msgId ?? envelope.event_id;
    if (options.breaksContract) exemptFromSchemaCheck(this.namespace, msgId);
    await this.js.publish(physicalSubject(this.namespace, subject), JSON.stringify(envelope), {
      msgID: msgId,
    });
    return envelope;
  }

  /**
   * Publishes any bytes on a subject (for malformed-message tests; not held to the subject's
   * schema).
   */
  async publishRaw(subject: string, data: string, msgId: string = randomUUID()): Promise<void> {
    exemptFromSchemaCheck(this.namespace, msgId);
    await this.js.publish(physicalSubject(this.namespace, subject), data, { msgID: msgId });
  }

  /**
   * Answers request/reply `pattern` as the owning service's Nest NATS server would (same packet
   * shape), with `handler`'s result. Stop with the returned function (or `close()`).
   */
  respond<Req, Res>(pattern: string, handler: (data: Req) => Res | Promise<Res>): () => void {
    const sub = this.nc.subscribe(physicalSubject(this.namespace, pattern), {
      callback: (_err, msg) => {
        const packet = msg.json<{ id: string; data: Req }>();
        void Promise.resolve(handler(packet.data)).then(
          (response) => msg.respond(JSON.stringify({ id: packet.id, response, isDisposed: true })),
          (error: unknown) =>
            msg.respond(JSON.stringify({ id: packet.id, err: String(error), isDisposed: true })),
        );
      },
    });
    this.responders.push(sub);
    return () => sub.unsubscribe();
  }

  /** Envelopes stored on a (logical) stream under `subject`, oldest first, that match `predicate`. */
  async events(
    stream: StreamName,
    subject: string,
    predicate: (envelope: StoredEnvelope) => boolean = () => true,
  ): Promise<StoredEnvelope[]> {
    const found: StoredEnvelope[] = [];
    for (const msg of await this.messages(stream, subject)) {
      const envelope = msg.json<StoredEnvelope>();
      if (predicate(envelope)) found.push(envelope);
    }
    return found;
  }

  /** Waits until `stream` holds an event of `subject` that matches `predicate`. */
  async waitForEvent(
    stream: StreamName,
    subject: string,
    predicate: (envelope: StoredEnvelope) => boolean = () => true,
    timeoutMs = 10_000,
  ): Promise<StoredEnvelope> {
    return waitFor(async () => (await this.events(stream, subject, predicate))[0], {
      timeoutMs,
      message: `${subject} on ${stream}`,
    });
  }

  /** Reasons of the messages a consumer dead-lettered, oldest first. */
  async deadLetters(durable: string): Promise<string[]> {
    const msgs = await this.messages('IHF_DLQ', deadLetterSubject(durable));
    return msgs.map((m) => m.header?.get(EventHeaders.DeadLetterReason) ?? '');
  }

  private async messages(stream: StreamName, subject: string): Promise<StoredMsg[]> {
    const jsm = await jetstreamManager(this.nc);
    const name = physicalStreamName(this.namespace, stream);
    const physical = physicalSubject(this.namespace, subject);
    let info;
    try {
      info = await jsm.streams.info(name);
    } catch {
      return []; // not provisioned (yet): nothing stored
    }
    const found: StoredMsg[] = [];
    if (info.state.messages === 0) return found;
    for (let seq = info.state.first_seq; seq <= info.state.last_seq; seq++) {
      const msg = await jsm.streams.getMessage(name, { seq }).catch(() => null);
      if (msg?.subject === physical) found.push(msg);
    }
    return found;
  }
}
