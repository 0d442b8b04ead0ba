import { type EventEnvelope, type InteractionRecordedV1, Subjects } from '@ihf/contracts';
import { type TableTailDefinition, type TailedRow } from '@ihf/messaging';

function iso(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'string' || typeof value === 'number') return new Date(value).toISOString();
  throw new Error(`Not a time: ${typeof value}`);
}

function text(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number') return String(value);
  throw new Error(`Not a text column: ${typeof value}`);
}

function nullable(value: unknown): string | null {
  return value === null || value === undefined ? null : text(value);
}

/** A stored interaction event as the message other services receive on IHF_EVENTS. */
export function interactionMessage(row: TailedRow): { subject: string; envelope: EventEnvelope } {
  const id = text(row.id);
  const payload: InteractionRecordedV1 = {
    event_id: id,
    hub_id: text(row.hub_id),
    widget_id: text(row.widget_id),
    widget_version: Number(row.widget_version),
    event_type: text(row.event_type),
    actor_id: nullable(row.actor_id),
    actor_type: text(row.actor_type),
    view_context_ref: nullable(row.view_context_ref),
    metadata: (row.metadata ?? {}) as Record<string, unknown>,
    occurred_at: iso(row.occurred_at),
    received_at: iso(row.received_at),
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
    payload,
  };
  return { subject: Subjects.Ingestion.InteractionRecordedV1, envelope };
}

/** The relay of `ingestion.interaction_events` to IHF_EVENTS (msg id = event id). */
export const INTERACTION_EVENTS_TAIL: TableTailDefinition = {
  name: 'interaction_events',
  table: 'interaction_events',
  toMessage: interactionMessage,
  batchSize: 1000,
  timeColumn: 'received_at',
  // The worker thread loads this module through the package's export of it.
  thread: {
    module: '@ihf/ingestion-service/interaction-tail',
    exportName: 'INTERACTION_EVENTS_TAIL',
  },
};
