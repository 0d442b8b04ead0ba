import { type EventEnvelope, type InteractionRecordedV1, Subjects } from '@ihf/contracts';
import { type TableTailDefinition, type TailedRow, tailTimeToIso } from '@ihf/messaging';

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`Not a text column: ${typeof value}`);
}

function nullable(value: unknown): string | null {
  return value === null || value === undefined ? null : text(value);
}

/**
 * Stands for the metadata in the envelope's JSON until the stored text replaces it. It holds
 * NUL characters, which no stored string can hold (they are refused as unstorable before any
 * write), so it can never be mistaken for reported data.
 */
const METADATA_SLOT = '\u0000ihf:metadata\u0000';
const METADATA_SLOT_JSON = JSON.stringify(METADATA_SLOT);

/**
 * What the relay reads of a row: the metadata as its stored JSON text (`metadata_json`), which
 * goes into the message as it is, instead of being parsed by pg and serialised again.
 */
const RELAY_COLUMNS = `t.id, t.hub_id, t.widget_id, t.widget_version, t.event_type, t.actor_id, t.actor_type,
  t.view_context_ref, t.metadata::text as metadata_json, t.occurred_at, t.received_at, t.traceparent`;

/**
 * A stored interaction event as the message other services receive on IHF_EVENTS. Takes the
 * relay's rows (`RELAY_COLUMNS`: metadata as text, then `data` is the envelope's JSON built
 * around it) and whole rows (`t.*`, as the reconciler reads them: metadata parsed).
 */
export function interactionMessage(row: TailedRow): {
  subject: string;
  envelope: EventEnvelope;
  data?: string;
} {
  const id = text(row.id);
  const metadataJson = typeof row.metadata_json === 'string' ? row.metadata_json : undefined;
  const payload: InteractionRecordedV1 = {
    event_id: id,
    hub_id: text(row.hub_id),
    widget_id: text(row.widget_id),
    widget_version: Number(row.widget_version),
    event_type: text(row.event_type),
    actor_id: nullable(row.actor_id),
    actor_type: text(row.actor_type),
    view_context_ref: nullable(row.view_context_ref),
    metadata:
      metadataJson === undefined
        ? ((row.metadata ?? {}) as Record<string, unknown>)
        : (METADATA_SLOT as unknown as Record<string, unknown>),
    occurred_at: tailTimeToIso(row.occurred_at),
    received_at: tailTimeToIso(row.received_at),
  };
  const envelope: EventEnvelope<InteractionRecordedV1> = {
    event_id: id,
    type: Subjects.Ingestion.InteractionRecordedV1,
    version: 1,
    occurred_at: payload.occurred_at,
    producer: 'ingestion',
    // The reporting request is long gone; the event is the start of its own chain.
    correlation_id: id,
    causation_id: null,
    hub_id: payload.hub_id,
    aggregate_id: payload.widget_id,
    aggregate_version: payload.widget_version,
    // The reporting request's trace, when it was sampled (the relay continues it).
    ...(typeof row.traceparent === 'string' ? { traceparent: row.traceparent } : {}),
    payload,
  };
  if (metadataJson === undefined)
    return { subject: Subjects.Ingestion.InteractionRecordedV1, envelope };
  const data = JSON.stringify(envelope).replace(METADATA_SLOT_JSON, () => metadataJson);
  // The envelope object stays complete (parsed only if something reads it; the relay does not).
  Object.defineProperty(payload, 'metadata', {
    enumerable: true,
    configurable: true,
    get: () => JSON.parse(metadataJson) as Record<string, unknown>,
  });
  return { subject: Subjects.Ingestion.InteractionRecordedV1, envelope, data };
}

/** The relay of `ingestion.interaction_events` to IHF_EVENTS (msg id = event id). */
export const INTERACTION_EVENTS_TAIL: TableTailDefinition = {
  name: 'interaction_events',
  table: 'interaction_events',
  toMessage: interactionMessage,
  columns: RELAY_COLUMNS,
  batchSize: 1000,
  timeColumn: 'received_at',
  // The worker thread loads this module through the package's export of it.
  thread: {
    module: '@ihf/ingestion-service/interaction-tail',
    exportName: 'INTERACTION_EVENTS_TAIL',
  },
};
