import {
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  context,
  isSpanContextValid,
  propagation,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/**
 * The W3C trace context of a unit of work, as it travels in an event envelope or in headers
 * (field names of the CloudEvents distributed-tracing extension and of the HTTP headers).
 */
export interface TraceCarrier {
  traceparent?: string;
  tracestate?: string;
}

/** Name of the tracer every IHF span comes from (instrumentations use their own). */
export const IHF_TRACER = '@ihf/observability';

/**
 * The active span's trace context, or `{}` when there is none. With tracing off (no SDK
 * registered) there is never an active span: this costs one lookup and writes nothing.
 */
export function activeTraceCarrier(): TraceCarrier {
  if (!trace.getActiveSpan()) return {};
  const carrier: TraceCarrier = {};
  propagation.inject(context.active(), carrier);
  return carrier;
}

/**
 * The active span's `traceparent` when that span is recorded (sampled), else undefined: for
 * data that stores a trace link only where a trace will exist (e.g. a row per event).
 */
export function sampledTraceparent(): string | undefined {
  return trace.getActiveSpan()?.isRecording() ? activeTraceCarrier().traceparent : undefined;
}

/** The context a carrier (envelope fields, or headers read through `getter`) describes. */
export function contextFromCarrier<C>(
  carrier: C,
  getter?: TextMapGetter<C>,
  parent: Context = ROOT_CONTEXT,
): Context {
  return getter
    ? propagation.extract(parent, carrier, getter)
    : propagation.extract(parent, carrier as unknown as TraceCarrier);
}

/** Writes the trace context of `ctx` (default: the active one) through `setter`. */
export function injectTraceContext<C>(
  carrier: C,
  setter: TextMapSetter<C>,
  ctx: Context = context.active(),
): void {
  propagation.inject(ctx, carrier, setter);
}

/**
 * `trace_id` and `span_id` of the active span for a log line, or `{}` (no span, or tracing
 * off): a log line and the trace of the same unit of work can be found from each other.
 */
export function traceLogFields(): Record<string, string> {
  const span = trace.getActiveSpan();
  if (!span) return {};
  const sc = span.spanContext();
  if (!isSpanContextValid(sc)) return {};
  return { trace_id: sc.traceId, span_id: sc.spanId };
}

/** Options of {@link inSpan}. */
export interface InSpanOptions {
  readonly kind?: SpanKind;
  readonly attributes?: Attributes;
  /** The parent context (e.g. extracted from a message); default: the active one. */
  readonly parent?: Context;
}

/**
 * Runs `fn` inside a new span (ended when `fn` settles; a thrown error marks it failed and is
 * rethrown). With tracing off the span is a no-op and `fn` runs as is.
 */
export async function inSpan<T>(
  name: string,
  options: InSpanOptions,
  fn: (span: Span) => Promise<T>,
): Promise<T> {
  const parent = options.parent ?? context.active();
  const span = trace
    .getTracer(IHF_TRACER)
    .startSpan(
      name,
      { kind: options.kind ?? SpanKind.INTERNAL, attributes: options.attributes },
      parent,
    );
  try {
    return await context.with(trace.setSpan(parent, span), () => fn(span));
  } catch (error) {
    span.recordException(error as Error);
    span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
    throw error;
  } finally {
    span.end();
  }
}

export { SpanKind, SpanStatusCode };
