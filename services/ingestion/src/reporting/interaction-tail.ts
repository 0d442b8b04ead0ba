import { Subjects } from '@ihf/contracts';
import { type TableTailDefinition } from '@ihf/messaging';

/** A timestamp column as the platform writes times: ISO 8601, UTC, milliseconds (`toISOString`). */
function iso(column: string): string {
  return `to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
}

/**
 * A stored interaction event as the message other services receive on IHF_EVENTS (the
 * `InteractionRecordedV1` envelope), built by Postgres in the relay's query: the relay then
 * publishes text, without parsing the row or serialising it again. The reporting request is
 * long gone, so the event is the start of its own chain (correlation id = event id).
 */
const INTERACTION_ENVELOPE_SQL = `json_build_object(
  'event_id', t.id,
  'type', '${Subjects.Ingestion.InteractionRecordedV1}',
  'version', 1,
  'occurred_at', ${iso('t.occurred_at')},
  'producer', 'ingestion',
  'correlation_id', t.id,
  'causation_id', null,
  'hub_id', t.hub_id,
  'aggregate_id', t.widget_id,
  'aggregate_version', t.widget_version,
  'payload', json_build_object(
    'event_id', t.id,
    'hub_id', t.hub_id,
    'widget_id', t.widget_id,
    'widget_version', t.widget_version,
    'event_type', t.event_type,
    'actor_id', t.actor_id,
    'actor_type', t.actor_type,
    'view_context_ref', t.view_context_ref,
    'metadata', t.metadata,
    'occurred_at', ${iso('t.occurred_at')},
    'received_at', ${iso('t.received_at')}
  )
)`;

/** The relay of `ingestion.interaction_events` to IHF_EVENTS (msg id = event id). */
export const INTERACTION_EVENTS_TAIL: TableTailDefinition = {
  name: 'interaction_events',
  table: 'interaction_events',
  messageSql: {
    subject: Subjects.Ingestion.InteractionRecordedV1,
    producer: 'ingestion',
    eventId: 't.id',
    correlationId: 't.id',
    envelope: INTERACTION_ENVELOPE_SQL,
  },
  batchSize: 1000,
};
