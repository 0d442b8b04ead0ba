import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, type EventEnvelope, Subjects } from '@ihf/contracts';
import { EventConsumers, NonRetryableError } from '@ihf/messaging';
import { CandidateReadModel } from './candidate-read-model.repository.js';
import { type PrincipalEventOrder, PrincipalReadModel } from './principal-read-model.repository.js';
import { WidgetReadModel } from './widget-read-model.repository.js';

const orderOf = (e: EventEnvelope): PrincipalEventOrder => ({
  version: e.aggregate_version ?? null,
  occurredAt: new Date(e.occurred_at),
});

/** Status events were versioned from the start: one without a version cannot be ordered. */
function requiredVersion(e: EventEnvelope): number {
  if (e.aggregate_version === undefined || e.aggregate_version === null) {
    throw new NonRetryableError(`${e.type} ${e.event_id} carries no aggregate_version`);
  }
  return e.aggregate_version;
}

/** Candidate events are hub-scoped facts: one without a hub cannot be placed. */
function requiredHub(e: EventEnvelope): string {
  if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
  return e.hub_id;
}

/**
 * Keeps the read models of other services' data: candidates from feedback, widgets from
 * ingestion, users from identity. Each handler runs in the consumer's transaction with its
 * inbox record, so a redelivery changes nothing.
 */
@Injectable()
export class ReadModelHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.governance_feedback_candidates, {
      [Subjects.Feedback.CandidateCreatedV1]: async (e, em) => {
        await CandidateReadModel.applyCreated(em, requiredHub(e), requiredVersion(e), e.payload);
      },
      [Subjects.Feedback.CandidateStatusChangedV1]: async (e, em) => {
        await CandidateReadModel.applyStatus(em, requiredHub(e), e.payload);
      },
    });
    this.consumers.register(CONSUMERS.governance_ingestion_widgets, {
      [Subjects.Ingestion.WidgetRegisteredV1]: async (e, em) => {
        await WidgetReadModel.applySnapshot(em, e.payload);
      },
      [Subjects.Ingestion.WidgetUpdatedV1]: async (e, em) => {
        await WidgetReadModel.applySnapshot(em, e.payload);
      },
      [Subjects.Ingestion.WidgetStatusChangedV1]: async (e, em) => {
        await WidgetReadModel.applyStatus(em, e.payload);
      },
    });
    this.consumers.register(CONSUMERS.governance_identity, {
      [Subjects.Identity.UserCreatedV1]: async (e, em) => {
        await PrincipalReadModel.applyCreated(
          em,
          e.payload.user_id,
          e.payload.name,
          e.payload.roles,
          orderOf(e),
        );
      },
      [Subjects.Identity.MembershipChangedV1]: async (e, em) => {
        await PrincipalReadModel.applyMembership(
          em,
          e.payload.user_id,
          e.payload.roles,
          e.payload.hub_ids,
          orderOf(e),
        );
      },
      [Subjects.Identity.UserDeactivatedV1]: async (e, em) => {
        await PrincipalReadModel.applyStatus(
          em,
          e.payload.user_id,
          new Date(e.payload.deactivated_at),
          requiredVersion(e),
        );
      },
      [Subjects.Identity.UserReactivatedV1]: async (e, em) => {
        await PrincipalReadModel.applyStatus(em, e.payload.user_id, null, requiredVersion(e));
      },
    });
  }
}
