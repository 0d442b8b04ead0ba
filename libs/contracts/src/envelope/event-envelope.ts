import {
  IsDefined,
  IsISO8601,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  Min,
} from 'class-validator';

/**
 * Subjects follow `ihf.<service>.<aggregate>.<event>.v<N>`; N is also the envelope `version`.
 * Every segment is lower snake case so that subjects are valid NATS tokens.
 */
export const SUBJECT_PATTERN =
  /^ihf\.[a-z][a-z0-9_-]*\.[a-z][a-z0-9_]*\.[a-z][a-z0-9_]*\.v[1-9][0-9]*$/;

/** W3C `traceparent` (version-traceid-parentid-flags, lower-case hex). */
export const TRACEPARENT_PATTERN = /^[0-9a-f]{2}-[0-9a-f]{32}-[0-9a-f]{16}-[0-9a-f]{2}$/;

/**
 * The envelope every event travels in, on the bus and in outbox rows. Field names are snake_case
 * as on the HTTP wire, so that non-TypeScript consumers (agents) read the same shape.
 */
export interface EventEnvelope<P = unknown, S extends string = string> {
  /** Unique id of this event (UUID); also the JetStream `Nats-Msg-Id`, so a re-publish is deduplicated. */
  readonly event_id: string;
  /** The subject it is published on, e.g. `ihf.identity.user.created.v1`. */
  readonly type: S;
  /** Schema version of the payload; equals the `.vN` suffix of `type`. */
  readonly version: number;
  /** When the fact happened (ISO 8601 with offset). */
  readonly occurred_at: string;
  /** Name of the producing service, e.g. `identity`. */
  readonly producer: string;
  /** Id of the causal chain this event belongs to (from the request or event that caused it). */
  readonly correlation_id: string;
  /** Id of the event that directly caused this one, or null when a request caused it. */
  readonly causation_id: string | null;
  /** The hub the fact belongs to, for hub-scoped events; null otherwise. */
  readonly hub_id: string | null;
  /**
   * The entity the fact is about (e.g. the widget id) and its version after the change, when
   * the producer versions it. Events can arrive in any order (several relays, redeliveries,
   * concurrent handlers): a consumer keeping a read model applies an event only when its
   * `aggregate_version` is newer than the one it holds.
   */
  readonly aggregate_id?: string | null;
  readonly aggregate_version?: number | null;
  /**
   * W3C trace context of the unit of work that produced the event (the CloudEvents
   * distributed-tracing extension's fields), present only when the producer was tracing: the
   * relay forwards it as NATS headers, and the consumer's span continues the same trace.
   */
  readonly traceparent?: string;
  readonly tracestate?: string;
  /** The event's data, shaped by the payload class registered for `type`. */
  readonly payload: P;
}

/** class-validator view of the envelope, used by consumers before they look at the payload. */
export class EventEnvelopeDto {
  @IsUUID()
  event_id!: string;

  @IsString()
  @Matches(SUBJECT_PATTERN)
  type!: string;

  @IsInt()
  @Min(1)
  version!: number;

  @IsISO8601({ strict: true })
  occurred_at!: string;

  @IsString()
  @MaxLength(64)
  producer!: string;

  @IsString()
  @MaxLength(128)
  correlation_id!: string;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  causation_id!: string | null;

  @IsOptional()
  @IsUUID()
  hub_id!: string | null;

  @IsOptional()
  @IsString()
  @MaxLength(128)
  aggregate_id?: string | null;

  @IsOptional()
  @IsInt()
  @Min(0)
  aggregate_version?: number | null;

  @IsOptional()
  @IsString()
  @Matches(TRACEPARENT_PATTERN)
  traceparent?: string;

  @IsOptional()
  @IsString()
  @MaxLength(512)
  tracestate?: string;

  @IsDefined()
  @IsObject()
  payload!: Record<string, unknown>;
}

/** The `vN` suffix of a subject as a number (1 for `ihf.identity.user.created.v1`). */
export function versionOfSubject(subject: string): number {
  const match = /\.v([1-9][0-9]*)$/.exec(subject);
  if (!match) throw new Error(`Subject '${subject}' has no version suffix`);
  return Number(match[1]);
}

/** NATS header names used with every event (NATS reads header names case-insensitively). */
export const EventHeaders = {
  /** Standard JetStream de-duplication header; always the envelope's event_id. */
  MessageId: 'Nats-Msg-Id',
  CorrelationId: 'Ihf-Correlation-Id',
  CausationId: 'Ihf-Causation-Id',
  Producer: 'Ihf-Producer',
  /** W3C trace context (the HTTP header names; NATS headers carry them the same way). */
  TraceParent: 'traceparent',
  TraceState: 'tracestate',
  /** On dead letters: why the message was given up, and where it came from. */
  DeadLetterReason: 'Ihf-Dead-Letter-Reason',
  DeadLetterSubject: 'Ihf-Dead-Letter-Subject',
  DeadLetterStream: 'Ihf-Dead-Letter-Stream',
  DeadLetterConsumer: 'Ihf-Dead-Letter-Consumer',
  DeadLetterDeliveries: 'Ihf-Dead-Letter-Deliveries',
} as const;
