// The proof of distributed tracing: one annotation reported to ingestion, followed by its
// spans through the outbox, the NATS hop and feedback's consumer to the events feedback then
// published, all in one trace with parent/child links. Both services run in this process on
// one test database (their own schemas) and bus namespace, with the real migrations; the
// spans land in an in-memory exporter instead of an OTLP endpoint.
import { randomUUID } from 'node:crypto';
import { SpanKind } from '@opentelemetry/api';
import {
  InMemorySpanExporter,
  SimpleSpanProcessor,
  type ReadableSpan,
} from '@opentelemetry/sdk-trace';
import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Client } from 'pg';
import { TestTokenIssuer } from '@ihf/auth';
import { RequestContext, contextLogFields, inSpan } from '@ihf/observability';
import { startTracing, type TracingHandle } from '@ihf/observability/tracing';
import { migrateSchema } from '@ihf/persistence';
import { createServiceApp, loadConfig } from '@ihf/platform';
import { createTestEnvironment, type TestEnvironment, waitFor } from '@ihf/testing';
import { IngestionConfig, ingestionAppOptions, ingestionOrmSettings } from '@ihf/ingestion-service';
import { FeedbackConfig, feedbackAppOptions, migrateFeedback } from '@ihf/feedback-service';

const SUBMITTED = 'ihf.ingestion.annotation.submitted.v1';
const CREATED = 'ihf.feedback.annotation.created.v1';

describe('tracing: one annotation from ingestion to feedback', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: TracingHandle | undefined;
  let env: TestEnvironment;
  let issuer: TestTokenIssuer;
  let ingestion: NestFastifyApplication;
  let feedback: NestFastifyApplication;

  beforeAll(async () => {
    // Before the apps exist: the Fastify instrumentation hooks every instance created later.
    tracing = startTracing({
      service: 'ihf-test',
      spanProcessors: [new SimpleSpanProcessor({ exporter })],
    });
    env = await createTestEnvironment();
    issuer = await TestTokenIssuer.start();
    const vars: Record<string, string> = {
      LOG_LEVEL: 'silent',
      DATABASE_URL: env.databaseUrl,
      NATS_URL: env.natsUrl,
      IHF_NATS_NAMESPACE: env.natsNamespace,
      IHF_JWKS_URL: issuer.jwksUrl,
      // The table-tail relay on this thread, so its spans reach this test's exporter.
      INGESTION_TAIL_RELAY_THREAD: 'main',
    };
    await migrateSchema(ingestionOrmSettings(env.databaseUrl));
    await migrateFeedback(env.databaseUrl);
    ingestion = await createServiceApp(
      ingestionAppOptions(loadConfig(IngestionConfig, vars), vars),
    );
    feedback = await createServiceApp({
      ...feedbackAppOptions(loadConfig(FeedbackConfig, vars), vars),
      config: FeedbackConfig,
    });
  });

  afterAll(async () => {
    await feedback?.close();
    await ingestion?.close();
    await issuer?.close();
    await env?.teardown();
    await tracing?.shutdown();
  });

  async function call<T>(
    method: 'POST' | 'GET',
    url: string,
    body: unknown,
    bearer: string,
  ): Promise<{ status: number; body: T; correlationId: unknown }> {
    const res = await ingestion.inject({
      method,
      url,
      headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
      payload: JSON.stringify(body),
    });
    return {
      status: res.statusCode,
      body: JSON.parse(res.body) as T,
      correlationId: res.headers['x-correlation-id'],
    };
  }

  function spans(): ReadableSpan[] {
    return exporter.getFinishedSpans();
  }

  /** The span's ancestors in `all`, nearest first. */
  function ancestors(span: ReadableSpan, all: ReadableSpan[]): ReadableSpan[] {
    const byId = new Map(all.map((s) => [s.spanContext().spanId, s]));
    const chain: ReadableSpan[] = [];
    let parentId = span.parentSpanContext?.spanId;
    while (parentId && byId.has(parentId)) {
      const parent = byId.get(parentId)!;
      chain.push(parent);
      parentId = parent.parentSpanContext?.spanId;
    }
    return chain;
  }

  /** A hub with an API key and a widget, made through ingestion's API. */
  async function hubWithKeyAndWidget(): Promise<{
    hub: { body: { id: string } };
    key: { body: { key: string } };
    widget: { body: { id: string; version: number } };
  }> {
    const admin = issuer.sign({ sub: randomUUID(), roles: ['admin'] });
    const hub = await call<{ id: string }>(
      'POST',
      '/api/v1/hubs',
      { slug: `hub-${randomUUID().slice(0, 8)}`, name: 'Trace hub', domain: 'shop.example.com' },
      admin,
    );
    expect(hub.status).toBe(201);
    const key = await call<{ key: string }>(
      'POST',
      `/api/v1/hubs/${hub.body.id}/api-keys`,
      { label: 'trace' },
      admin,
    );
    const widget = await call<{ id: string; version: number }>(
      'POST',
      `/api/v1/hubs/${hub.body.id}/widgets`,
      { name: 'Buy button', widget_type: 'button', view_context: 'checkout' },
      admin,
    );
    expect(widget.status).toBe(201);
    return { hub, key, widget };
  }

  it('links the 202, the relay, the NATS hop, the stored row and the events it caused', async () => {
    const { hub, key, widget } = await hubWithKeyAndWidget();

    const annotationId = randomUUID();
    const reported = await call<{ status: string }>(
      'POST',
      '/api/v1/annotations',
      {
        id: annotationId,
        hub_id: hub.body.id,
        widget_id: widget.body.id,
        body: 'The button label is confusing',
        category: 'friction',
        severity: 'high',
      },
      key.body.key,
    );
    expect(reported.status).toBe(202);
    expect(reported.body.status).toBe('accepted');

    // Feedback stored the row, and the event it published for it went through its relay.
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      await waitFor(
        async () =>
          (await db.query('select 1 from feedback.annotations where id = $1', [annotationId]))
            .rowCount === 1 || undefined,
        { message: "feedback's stored annotation" },
      );
    } finally {
      await db.end();
    }
    const created = await waitFor(
      () =>
        spans().find(
          (s) =>
            s.name === `publish ${CREATED}` &&
            s.attributes['ihf.correlation_id'] !== undefined &&
            spans().some(
              (c) =>
                c.name === `process ${SUBMITTED}` &&
                c.attributes['messaging.message.id'] === annotationId &&
                c.spanContext().traceId === s.spanContext().traceId,
            ),
        ),
      { message: `the span publishing ${CREATED}` },
    );

    const all = spans().filter((s) => s.spanContext().traceId === created.spanContext().traceId);
    const request = all.find(
      (s) => s.kind === SpanKind.SERVER && s.attributes['http.route'] === '/api/v1/annotations',
    );
    const publishSubmitted = all.find(
      (s) =>
        s.name === `publish ${SUBMITTED}` && s.attributes['messaging.message.id'] === annotationId,
    );
    const processSubmitted = all.find(
      (s) =>
        s.name === `process ${SUBMITTED}` && s.attributes['messaging.message.id'] === annotationId,
    );
    expect(request).toBeDefined();
    expect(publishSubmitted).toBeDefined();
    expect(processSubmitted).toBeDefined();

    // ingestion: the request span is the root; the outbox row's relay span descends from it.
    expect(request!.parentSpanContext).toBeUndefined();
    expect(publishSubmitted!.kind).toBe(SpanKind.PRODUCER);
    expect(ancestors(publishSubmitted!, all)).toContain(request);
    // the NATS hop: feedback's consumer span is the relay span's direct child.
    expect(processSubmitted!.kind).toBe(SpanKind.CONSUMER);
    expect(processSubmitted!.parentSpanContext?.spanId).toBe(
      publishSubmitted!.spanContext().spanId,
    );
    expect(processSubmitted!.attributes['ihf.delivery.outcome']).toBe('handled');
    expect(processSubmitted!.attributes['messaging.consumer.group.name']).toMatch(/^feedback/);
    // feedback: the event its handler wrote is published under the consumer's span.
    expect(ancestors(created, all)).toEqual(
      expect.arrayContaining([processSubmitted, publishSubmitted, request]),
    );
    // The correlation id the 202 answered with names both hops: logs and trace agree.
    expect(typeof reported.correlationId).toBe('string');
    expect(publishSubmitted!.attributes['ihf.correlation_id']).toBe(reported.correlationId);
    expect(processSubmitted!.attributes['ihf.correlation_id']).toBe(reported.correlationId);
    expect(created.attributes['ihf.correlation_id']).toBe(reported.correlationId);
  });

  it("continues a sampled interaction report's trace through the table-tail relay", async () => {
    const { hub, key, widget } = await hubWithKeyAndWidget();
    const eventId = randomUUID();
    const reported = await call<{ accepted: number }>(
      'POST',
      '/api/v1/interaction-events',
      {
        id: eventId,
        hub_id: hub.body.id,
        widget_id: widget.body.id,
        event_type: 'clicked',
        occurred_at: new Date().toISOString(),
      },
      key.body.key,
    );
    expect(reported.status).toBe(202);
    expect(reported.body.accepted).toBe(1);
    const request = await waitFor(
      () =>
        spans().find(
          (s) =>
            s.kind === SpanKind.SERVER &&
            s.attributes['http.route'] === '/api/v1/interaction-events',
        ),
      { message: 'the reporting request span' },
    );
    // The relay's span for this row descends from the request (not a batch span's new trace).
    const publish = await waitFor(
      () =>
        spans().find(
          (s) =>
            s.name === 'publish interaction_events row' &&
            s.spanContext().traceId === request.spanContext().traceId,
        ),
      { message: "the relay's span in the request's trace" },
    );
    expect(publish.kind).toBe(SpanKind.PRODUCER);
    const all = spans().filter((s) => s.spanContext().traceId === request.spanContext().traceId);
    expect(ancestors(publish, all)).toContain(request);
    // And the message on the bus carries it: a consumer's span becomes the relay span's child.
    const db = new Client({ connectionString: env.databaseUrl });
    await db.connect();
    try {
      const { rows } = await db.query<{ traceparent: string }>(
        'select traceparent from ingestion.interaction_events where id = $1',
        [eventId],
      );
      expect(rows[0].traceparent).toContain(request.spanContext().traceId);
    } finally {
      await db.end();
    }
  });

  it("writes the active span's trace and span ids beside the correlation id in log lines", async () => {
    const fields = await inSpan('unit of work', {}, (span) =>
      Promise.resolve(
        RequestContext.run({ correlationId: 'corr-1' }, () => ({
          logged: contextLogFields(),
          ids: span.spanContext(),
        })),
      ),
    );
    expect(fields.logged).toEqual({
      correlation_id: 'corr-1',
      trace_id: fields.ids.traceId,
      span_id: fields.ids.spanId,
    });
  });
});
