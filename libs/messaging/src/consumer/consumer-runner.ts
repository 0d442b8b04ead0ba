import { plainToInstance } from 'class-transformer';
import { validate, type ValidationError } from 'class-validator';
import { type MikroORM } from '@mikro-orm/core';
import { type ConsumerMessages, type JetStreamClient, type JsMsg } from '@nats-io/jetstream';
import { headers as natsHeaders } from '@nats-io/nats-core';
import {
  IHF_TRACER,
  RequestContext,
  contextFromCarrier,
  isDependencyUnavailable,
  type RequestContextData,
} from '@ihf/observability';
import { SpanKind, SpanStatusCode, context as otelContext, trace } from '@opentelemetry/api';
import {
  EventEnvelopeDto,
  EventHeaders,
  STREAMS,
  contractFor,
  deadLetterSubject,
  logicalSubject,
  physicalStreamName,
  physicalSubject,
  type ConsumerDefinition,
  type EventEnvelope,
  type Subject,
} from '@ihf/contracts';
import { type Logger, silentLogger } from '../logger.js';
import { recordInbox } from '../inbox/inbox.js';
import { natsHeaderGetter } from '../nats/batch-publisher.js';
import { NonRetryableError } from './errors.js';
import {
  clearConsumerFailures,
  isStatementTimeout,
  recordConsumerFailure,
} from './consumer-failures.js';
import { type EventHandler, type EventHandlers } from './event-handlers.js';

/** What happened to one delivery, for metrics and tests. */
export type DeliveryOutcome = 'handled' | 'duplicate' | 'ignored' | 'retry' | 'dead_lettered';

/** What a delivery showed, for metrics: its delivery count and its event's time, if read. */
export interface DeliveryFacts {
  readonly deliveries: number;
  /** The envelope's `occurred_at`, once the envelope was valid. */
  occurredAt?: string;
}

export interface ConsumerRunnerOptions {
  readonly definition: ConsumerDefinition;
  readonly handlers: EventHandlers;
  readonly orm: MikroORM;
  /** The consuming service's schema (holds its inbox table). */
  readonly schema: string;
  readonly js: JetStreamClient;
  readonly namespace: string;
  readonly logger?: Logger;
  /** Handlers running at once in this process. */
  readonly concurrency?: number;
  /** Called after each delivery was settled (acked, nak'ed or terminated). */
  readonly onOutcome?: (
    outcome: DeliveryOutcome,
    subject: string,
    durationMs: number,
    delivery: DeliveryFacts,
  ) => void;
}

/**
 * Runs one durable consumer: for each message, validates the envelope and the payload against
 * its contract, runs the handler in a transaction that also records the event id in the inbox
 * (a redelivery changes nothing), and acknowledges only after the commit. A failing handler is
 * nak'ed with the consumer's back-off; after `maxDeliver` real handler failures (counted in
 * the service's `consumer_failures` table, so that redeliveries during a database outage, at
 * shutdown or after ack-wait do not count), or at once for invalid messages and
 * `NonRetryableError`, the message goes to the dead-letter subject with the reason, and is
 * then terminated. At most `concurrency` handlers run at once; `stop()` stops
 * pulling and waits for the handlers in flight.
 */
export class ConsumerRunner {
  private readonly logger: Logger;
  private readonly concurrency: number;
  private messages?: ConsumerMessages;
  private loop?: Promise<void>;
  private readonly inFlight = new Set<Promise<void>>();
  private stopping = false;
  private failure: unknown;

  constructor(private readonly options: ConsumerRunnerOptions) {
    this.logger = options.logger ?? silentLogger;
    this.concurrency = Math.max(1, options.concurrency ?? 8);
  }

  async start(): Promise<void> {
    const { js, namespace, definition } = this.options;
    const stream = physicalStreamName(namespace, STREAMS[definition.stream].name);
    const consumer = await js.consumers.get(stream, definition.durable);
    this.messages = await consumer.consume({ max_messages: this.concurrency * 2 });
    this.failure = undefined;
    this.loop = this.pump(this.messages).catch((error: unknown) => {
      this.failure = error;
      this.logger.error(
        { err: error, consumer: definition.durable },
        'consumer: stopped consuming',
      );
    });
  }

  /** Why consuming stopped unexpectedly, if it did (readiness reports it). */
  get stoppedWith(): unknown {
    return this.failure;
  }

  /** Stops pulling, lets handlers in flight finish and settle their messages. */
  async stop(): Promise<void> {
    this.stopping = true;
    await this.messages?.close();
    await this.loop;
    await Promise.allSettled([...this.inFlight]);
  }

  private async pump(messages: ConsumerMessages): Promise<void> {
    for await (const msg of messages) {
      if (this.stopping) {
        msg.nak(); // hand it straight to another replica
        continue;
      }
      while (this.inFlight.size >= this.concurrency) await Promise.race(this.inFlight);
      const task = this.process(msg).finally(() => this.inFlight.delete(task));
      this.inFlight.add(task);
    }
    if (!this.stopping) throw new Error('the message iterator ended');
  }

  private async process(msg: JsMsg): Promise<void> {
    const started = Date.now();
    const subject = logicalSubject(this.options.namespace, msg.subject);
    // The delivery's span is a child of the publishing span (the `traceparent` header): one
    // trace from the request that caused the event to every handler that acted on it.
    const parent = contextFromCarrier(msg.headers, natsHeaderGetter);
    const span = trace.getTracer(IHF_TRACER).startSpan(
      `process ${subject}`,
      {
        kind: SpanKind.CONSUMER,
        attributes: {
          'messaging.system': 'nats',
          'messaging.operation.type': 'process',
          'messaging.destination.name': subject,
          'messaging.consumer.group.name': this.options.definition.durable,
          'messaging.message.delivery_count': msg.info.deliveryCount,
        },
      },
      parent,
    );
    const facts: DeliveryFacts = { deliveries: msg.info.deliveryCount };
    let outcome: DeliveryOutcome;
    try {
      outcome = await otelContext.with(trace.setSpan(parent, span), () =>
        this.handle(msg, subject, facts),
      );
    } catch (error) {
      // Only dead-lettering itself can fail here (NATS down): leave it to a redelivery.
      this.logger.error({ err: error, subject }, 'consumer: could not settle message');
      msg.nak(5_000);
      outcome = 'retry';
    }
    span.setAttribute('ihf.delivery.outcome', outcome);
    if (outcome === 'retry' || outcome === 'dead_lettered')
      span.setStatus({ code: SpanStatusCode.ERROR, message: outcome });
    span.end();
    try {
      this.options.onOutcome?.(outcome, subject, Date.now() - started, facts);
    } catch (error) {
      this.logger.warn({ err: error }, 'consumer: onOutcome hook failed');
    }
  }

  private async handle(
    msg: JsMsg,
    subject: string,
    facts: DeliveryFacts,
  ): Promise<DeliveryOutcome> {
    const { definition } = this.options;
    let raw: unknown;
    try {
      raw = msg.json();
    } catch {
      return this.deadLetter(msg, subject, 'invalid: message is not JSON');
    }
    const envelopeErrors = await validate(plainToInstance(EventEnvelopeDto, raw));
    if (envelopeErrors.length)
      return this.deadLetter(msg, subject, `invalid envelope: ${describe(envelopeErrors)}`);
    const envelope = raw as EventEnvelope<object>;
    facts.occurredAt = envelope.occurred_at;
    if (envelope.type !== subject) {
      return this.deadLetter(
        msg,
        subject,
        `invalid: envelope type '${envelope.type}' differs from subject`,
      );
    }

    const handler = (this.options.handlers as Record<string, EventHandler<Subject> | undefined>)[
      subject
    ];
    if (!handler) {
      // The filter captures events this consumer has no use for: not a failure.
      msg.ack();
      return 'ignored';
    }
    const contract = contractFor(subject);
    if (!contract)
      return this.deadLetter(msg, subject, `invalid: no contract for subject ${subject}`);
    const payload = plainToInstance(contract.payload, envelope.payload);
    const payloadErrors = await validate(payload, { forbidUnknownValues: true });
    if (payloadErrors.length)
      return this.deadLetter(msg, subject, `invalid payload: ${describe(payloadErrors)}`);

    const context = {
      correlationId: envelope.correlation_id,
      causationId: envelope.event_id,
      requestId: envelope.event_id,
    };
    trace.getActiveSpan()?.setAttributes({
      'messaging.message.id': envelope.event_id,
      'ihf.correlation_id': envelope.correlation_id,
    });
    const deliveries = msg.info.deliveryCount;
    try {
      const handled = await RequestContext.run(context, () =>
        this.options.orm.em.fork().transactional(async (em) => {
          const first = await recordInbox(
            em,
            this.options.schema,
            definition.durable,
            envelope.event_id,
            subject,
          );
          if (!first) return false;
          // The handler gets the validated payload instance, as its type says.
          await handler({ ...envelope, payload } as Parameters<EventHandler<Subject>>[0], em);
          // Only a redelivery can have failures on record.
          if (deliveries > 1)
            await clearConsumerFailures(
              em,
              this.options.schema,
              definition.durable,
              envelope.event_id,
            );
          return true;
        }),
      );
      msg.ack();
      return handled ? 'handled' : 'duplicate';
    } catch (error) {
      const reason = (error as Error)?.message ?? String(error);
      // A statement timeout says the handler's work is too slow, not that the database is gone:
      // retrying it forever would never end, so it counts as a failure.
      if (isDependencyUnavailable(error) && !isStatementTimeout(error)) {
        return this.retryLater(msg, context, error, subject, envelope.event_id);
      }
      let failures: number;
      try {
        failures = await recordConsumerFailure(
          this.options.orm.em.fork(),
          this.options.schema,
          definition.durable,
          envelope.event_id,
          reason,
        );
      } catch (countError) {
        if (isDependencyUnavailable(countError) && !isStatementTimeout(countError)) {
          return this.retryLater(msg, context, countError, subject, envelope.event_id);
        }
        // No failure table (a service not migrated): the delivery count is the best bound left.
        this.logger.error(
          { err: countError, consumer: definition.durable },
          'consumer: could not count a handler failure',
        );
        failures = deliveries;
      }
      if (error instanceof NonRetryableError || failures >= definition.maxDeliver) {
        const outcome = await this.deadLetter(
          msg,
          subject,
          `handler failed ${failures} time(s) in ${deliveries} deliveries: ${reason}`,
        );
        await clearConsumerFailures(
          this.options.orm.em.fork(),
          this.options.schema,
          definition.durable,
          envelope.event_id,
        ).catch((clearError: unknown) =>
          this.logger.warn({ err: clearError }, 'consumer: could not clear a failure count'),
        );
        return outcome;
      }
      const backoff = definition.backoffMs;
      const delay = backoff[Math.min(failures - 1, backoff.length - 1)] ?? 1_000;
      RequestContext.run(context, () =>
        this.logger.warn(
          {
            err: error,
            subject,
            event_id: envelope.event_id,
            failures,
            deliveries,
            retryInMs: delay,
          },
          'consumer: handler failed, will retry',
        ),
      );
      msg.nak(delay);
      return 'retry';
    }
  }

  /**
   * Our own database is unreachable: not the message's fault. Retry without counting towards
   * the dead-letter limit, so an outage does not empty the stream into the DLQ.
   */
  private retryLater(
    msg: JsMsg,
    context: RequestContextData,
    error: unknown,
    subject: string,
    eventId: string,
  ): DeliveryOutcome {
    const { backoffMs } = this.options.definition;
    const delay = Math.min(backoffMs[backoffMs.length - 1] ?? 5_000, 30_000);
    RequestContext.run(context, () =>
      this.logger.warn(
        { err: error, subject, event_id: eventId, retryInMs: delay },
        'consumer: database unavailable, will retry',
      ),
    );
    msg.nak(delay);
    return 'retry';
  }

  /** Publishes the message to the consumer's dead-letter subject with the reason, then terminates it. */
  private async deadLetter(msg: JsMsg, subject: string, reason: string): Promise<DeliveryOutcome> {
    const { definition, namespace, js } = this.options;
    const h = natsHeaders();
    for (const [k, v] of msg.headers ?? []) for (const value of v) h.append(k, value);
    h.set(EventHeaders.DeadLetterReason, reason.slice(0, 2000));
    h.set(EventHeaders.DeadLetterSubject, subject);
    h.set(EventHeaders.DeadLetterStream, definition.stream);
    h.set(EventHeaders.DeadLetterConsumer, definition.durable);
    h.set(EventHeaders.DeadLetterDeliveries, String(msg.info.deliveryCount));
    // A dead letter is a new message: its own id, so it is not dropped as a duplicate.
    h.delete(EventHeaders.MessageId);
    await js.publish(physicalSubject(namespace, deadLetterSubject(definition.durable)), msg.data, {
      headers: h,
      msgID: `${definition.durable}:${msg.info.streamSequence}`,
    });
    // A bare +TERM: nats-server 2.9 ignores '+TERM <reason>' (the message would come back after
    // every ack-wait, forever); the reason travels in the dead letter's headers.
    msg.term();
    this.logger.error(
      { subject, consumer: definition.durable, reason },
      'consumer: message dead-lettered',
    );
    return 'dead_lettered';
  }
}

function describe(errors: ValidationError[], prefix = ''): string {
  return errors
    .flatMap((e) => {
      const path = prefix ? `${prefix}.${e.property}` : e.property;
      const own = Object.values(e.constraints ?? {}).map((m) => `${path}: ${m}`);
      return [...own, describe(e.children ?? [], path)].filter(Boolean);
    })
    .join('; ');
}
