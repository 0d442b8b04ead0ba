// W3C trace context through the bus with tracing on (an in-memory exporter): outbox envelope →
// relay's producer span → NATS headers → consumer span (its child); the table-tail relay's one
// span per batch; request/reply; and what happens without a span or with a bad message.
import { randomUUID } from 'node:crypto';
import { Controller, Module, type INestMicroservice } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { MessagePattern, Payload } from '@nestjs/microservices';
import { type EntityManager } from '@mikro-orm/core';
import { SpanKind, SpanStatusCode, trace } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { headers as natsHeaders } from '@nats-io/nats-core';
import { STREAMS, physicalStreamName, physicalSubject, type EventEnvelope } from '@ihf/contracts';
import { IHF_TRACER, SpanKind as Kind, inSpan } from '@ihf/observability';
import { startTracing, type TracingHandle } from '@ihf/observability/tracing';
import { exemptFromSchemaCheck, waitFor } from '@ihf/testing';
import {
  ConsumerRunner,
  NamespacedNatsServer,
  Outbox,
  OutboxRelay,
  RpcClient,
  TableTailRelay,
  provisionConsumers,
  provisionStreams,
  type EventHandlers,
  type TailSql,
} from '@ihf/messaging';
import { MessagingFixture, SCHEMA, userCreated } from './messaging-fixture.js';

const SUBJECT = 'ihf.identity.user.created.v1';
const ECHO = 'ihf.rpc.msgtest.trace.echo.v1';

@Controller()
class EchoRpc {
  @MessagePattern(ECHO)
  echo(@Payload() data: { id: string }): { id: string; trace_id: string | undefined } {
    return { id: data.id, trace_id: trace.getActiveSpan()?.spanContext().traceId };
  }
}

describe('tracing across the bus', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | undefined;
  let f: MessagingFixture;
  const outbox = new Outbox('identity');
  const stops: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    tracing = startTracing({
      service: 'msgtest',
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    f = await MessagingFixture.create();
  });
  afterEach(async () => {
    for (const stop of stops.splice(0).reverse()) await stop();
    await f.jsm.streams.purge(physicalStreamName(f.namespace, 'IHF_IDENTITY'));
    await f.sql(`delete from ${SCHEMA}.outbox`);
    exporter.reset();
  });
  afterAll(async () => {
    await f?.close();
    await tracing?.shutdown();
  });

  const spans = (name: string): ReadableSpan[] =>
    exporter.getFinishedSpans().filter((s) => s.name === name);

  async function startRelay(): Promise<void> {
    const relay = new OutboxRelay({
      schema: SCHEMA,
      orm: f.orm,
      databaseUrl: f.env.databaseUrl,
      nc: f.nc,
      namespace: f.namespace,
    });
    await relay.start();
    stops.push(() => relay.stop());
  }

  async function startConsumer(durable: string, handlers: EventHandlers): Promise<void> {
    const definition = f.consumer(durable);
    await provisionConsumers(f.jsm, f.namespace, [definition]);
    const runner = new ConsumerRunner({
      definition,
      handlers,
      orm: f.orm,
      schema: SCHEMA,
      js: f.js,
      namespace: f.namespace,
    });
    await runner.start();
    stops.push(() => runner.stop());
  }

  it('continues the producing span through the outbox, the relay and the consumer', async () => {
    const seen: { traceId?: string }[] = [];
    await startConsumer('msgtest__trace', {
      [SUBJECT]: () => {
        seen.push({ traceId: trace.getActiveSpan()?.spanContext().traceId });
        return Promise.resolve();
      },
    });
    let written!: EventEnvelope;
    let origin!: { traceId: string; spanId: string };
    await inSpan('POST /users', { kind: Kind.SERVER }, async (span) => {
      origin = span.spanContext();
      await f.orm.em.fork().transactional((em: EntityManager) => {
        written = outbox.add(em, SUBJECT, userCreated());
        return Promise.resolve();
      });
    });
    expect(written.traceparent).toBe(`00-${origin.traceId}-${origin.spanId}-01`);
    await startRelay();

    const consumed = await waitFor(() => spans(`process ${SUBJECT}`)[0], {
      message: 'the consumer span',
    });
    const [published] = spans(`publish ${SUBJECT}`);
    expect(published.kind).toBe(SpanKind.PRODUCER);
    expect(published.parentSpanContext?.spanId).toBe(origin.spanId);
    expect(published.attributes['messaging.message.id']).toBe(written.event_id);
    expect(consumed.kind).toBe(SpanKind.CONSUMER);
    expect(consumed.spanContext().traceId).toBe(origin.traceId);
    expect(consumed.parentSpanContext?.spanId).toBe(published.spanContext().spanId);
    expect(consumed.attributes['ihf.delivery.outcome']).toBe('handled');
    expect(seen).toEqual([{ traceId: origin.traceId }]);
  });

  it('writes no trace fields for an event produced outside any span, and its consumer starts a trace', async () => {
    await startConsumer('msgtest__untraced', { [SUBJECT]: () => Promise.resolve() });
    let written!: EventEnvelope;
    await f.orm.em.fork().transactional((em: EntityManager) => {
      written = outbox.add(em, SUBJECT, userCreated());
      return Promise.resolve();
    });
    expect(written).not.toHaveProperty('traceparent');
    expect(written).not.toHaveProperty('tracestate');
    await startRelay();
    const consumed = await waitFor(() => spans(`process ${SUBJECT}`)[0], {
      message: 'the consumer span',
    });
    expect(spans(`publish ${SUBJECT}`)).toEqual([]);
    expect(consumed.parentSpanContext).toBeUndefined();
  });

  it('marks the span of a dead-lettered delivery as failed, in the trace of its publisher', async () => {
    await startConsumer('msgtest__poison', { [SUBJECT]: () => Promise.resolve() });
    const publisher = trace.getTracer(IHF_TRACER).startSpan('publisher');
    const { traceId, spanId } = publisher.spanContext();
    publisher.end();
    const h = natsHeaders();
    h.set('traceparent', `00-${traceId}-${spanId}-01`);
    const msgID = randomUUID();
    // Invalid on purpose: the consumer must dead-letter it.
    exemptFromSchemaCheck(f.namespace, msgID);
    await f.js.publish(physicalSubject(f.namespace, SUBJECT), '{"not":"an envelope"}', {
      msgID,
      headers: h,
    });
    const consumed = await waitFor(() => spans(`process ${SUBJECT}`)[0], {
      message: 'the consumer span',
    });
    expect(consumed.attributes['ihf.delivery.outcome']).toBe('dead_lettered');
    expect(consumed.status.code).toBe(SpanStatusCode.ERROR);
    expect(consumed.parentSpanContext?.spanId).toBe(spanId);
    expect(consumed.spanContext().traceId).toBe(traceId);
  });

  it('gives each table-tail batch one producer span whose context every message carries', async () => {
    await provisionStreams(f.jsm, f.namespace, [STREAMS.IHF_EVENTS]);
    const tail = new TableTailRelay({
      name: 'clicks_trace',
      table: 'clicks',
      schema: SCHEMA,
      sql: (await f.orm.em.getConnection().getNativeClient()) as TailSql,
      databaseUrl: f.env.databaseUrl,
      nc: f.nc,
      namespace: f.namespace,
      toMessage: (row) => ({
        subject: 'ihf.ingestion.interaction.recorded.v1',
        envelope: {
          event_id: row.id as string,
          type: 'ihf.ingestion.interaction.recorded.v1',
          version: 1,
          occurred_at: new Date().toISOString(),
          producer: 'msgtest',
          correlation_id: row.id as string,
          causation_id: null,
          hub_id: null,
          payload: { widget: row.widget },
        },
      }),
    });
    const ids = [randomUUID(), randomUUID(), randomUUID()];
    // Stand-in payloads under a real subject: only the headers matter here.
    for (const id of ids) exemptFromSchemaCheck(f.namespace, id);
    await f.sql(`insert into ${SCHEMA}.clicks (id, widget) select unnest(?::uuid[]), 'w'`, [
      `{${ids.join(',')}}`,
    ]);
    await tail.start();
    stops.push(() => tail.stop());
    const batch = await waitFor(() => spans('publish clicks batch')[0], {
      message: 'the batch span',
    });
    expect(batch.kind).toBe(SpanKind.PRODUCER);
    expect(batch.parentSpanContext).toBeUndefined();
    expect(batch.attributes['messaging.batch.message_count']).toBe(3);
    const stream = physicalStreamName(f.namespace, 'IHF_EVENTS');
    const expected = `00-${batch.spanContext().traceId}-${batch.spanContext().spanId}-01`;
    const relayed: string[] = [];
    for (let seq = 1; seq <= ids.length; seq++) {
      const msg = await f.jsm.streams.getMessage(stream, { seq });
      expect(msg?.header.get('traceparent')).toBe(expected);
      relayed.push(msg!.header.get('Nats-Msg-Id'));
    }
    expect(relayed.sort()).toEqual([...ids].sort());
  });

  it('carries the caller span across request/reply', async () => {
    @Module({ controllers: [EchoRpc] })
    class RpcModule {}
    const server: INestMicroservice = await NestFactory.createMicroservice(RpcModule, {
      strategy: new NamespacedNatsServer({
        natsUrl: f.env.natsUrl,
        service: 'msgtest',
        namespace: f.namespace,
      }),
      logger: false,
    });
    await server.listen();
    stops.push(() => server.close());
    const client = new RpcClient({
      natsUrl: f.env.natsUrl,
      service: 'msgtest-caller',
      namespace: f.namespace,
    });
    await client.connect();
    stops.push(() => client.close());

    const id = randomUUID();
    const { answer, traceId } = await inSpan('caller', {}, async (span) => ({
      answer: await client.request<{ id: string; trace_id?: string }>(ECHO, { id }),
      traceId: span.spanContext().traceId,
    }));
    expect(answer).toEqual({ id, trace_id: traceId });
    const [clientSpan] = spans(`rpc ${ECHO}`).filter((s) => s.kind === SpanKind.CLIENT);
    const [serverSpan] = spans(`rpc ${ECHO}`).filter((s) => s.kind === SpanKind.SERVER);
    expect(serverSpan.parentSpanContext?.spanId).toBe(clientSpan.spanContext().spanId);
    expect(serverSpan.spanContext().traceId).toBe(traceId);
  });
});
