import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { type EntityManager } from '@mikro-orm/core';
import { type EventEnvelope, type Subject, subjectMatches } from '@ihf/contracts';
import { type EventHandler, EventConsumers } from '@ihf/messaging';
import { query } from '@ihf/persistence';
import { WEBHOOK_CONSUMERS, WEBHOOK_EVENT_TYPES } from './webhook-event-types.js';

/**
 * The body every endpoint receives, in the Standard Webhooks shape (`type`, `timestamp`,
 * `data`), with the event's id and hub.
 */
export function webhookBody(e: EventEnvelope): Record<string, unknown> {
  return {
    type: e.type,
    timestamp: e.occurred_at,
    event_id: e.event_id,
    hub_id: e.hub_id ?? null,
    data: e.payload,
  };
}

/**
 * Queues a delivery of the event for each active endpoint of its hub subscribed to its type,
 * in the consumer's transaction; unique per (endpoint, event), so a redelivery queues nothing.
 */
async function fanOut(e: EventEnvelope, em: EntityManager): Promise<void> {
  if (!e.hub_id) return;
  await query(
    em,
    `insert into notifications.webhook_deliveries (endpoint_id, event_id, event_type, payload, occurred_at)
     select id, ?::uuid, ?, ?::jsonb, ?::timestamptz from notifications.webhook_endpoints
     where hub_id = ? and status = 'active' and ? = any(event_types)
     on conflict (endpoint_id, event_id) where replay_of is null do nothing`,
    [e.event_id, e.type, JSON.stringify(webhookBody(e)), e.occurred_at, e.hub_id, e.type],
  );
}

/** One consumer per stream; each handles every subject of the contracts it captures. */
@Injectable()
export class WebhookFanOutHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    for (const definition of WEBHOOK_CONSUMERS) {
      const subjects = WEBHOOK_EVENT_TYPES.filter((s) =>
        subjectMatches(definition.filterSubject, s),
      );
      if (subjects.length === 0) continue;
      const handlers: Record<string, EventHandler<Subject>> = {};
      for (const s of subjects) handlers[s] = (e, em) => fanOut(e, em);
      this.consumers.register(definition, handlers);
    }
  }
}
