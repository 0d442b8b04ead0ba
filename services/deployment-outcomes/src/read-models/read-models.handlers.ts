import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, type EventEnvelope, Subjects } from '@ihf/contracts';
import { EventConsumers, NonRetryableError } from '@ihf/messaging';
import { LineageReadModel } from './lineage-read-model.repository.js';

/** Hub-scoped facts: one without a hub cannot be placed. */
function requiredHub(e: EventEnvelope): string {
  if (!e.hub_id) throw new NonRetryableError(`${e.type} ${e.event_id} carries no hub_id`);
  return e.hub_id;
}

/**
 * Keeps the lineage read models: decisions, requirements and work items from governance,
 * candidates from feedback, widgets from ingestion. Each handler runs in the consumer's
 * transaction with its inbox record, so a redelivery changes nothing.
 */
@Injectable()
export class ReadModelHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.deployment_governance, {
      [Subjects.Governance.RequirementPromotedV1]: (e, em) =>
        LineageReadModel.applyRequirement(em, requiredHub(e), e.payload),
      [Subjects.Governance.RequirementUpdatedV1]: (e, em) =>
        LineageReadModel.applyRequirementTitle(em, e.payload.requirement_id, e.payload.title),
      [Subjects.Governance.DecisionRecordedV1]: (e, em) =>
        LineageReadModel.applyDecision(em, requiredHub(e), e.payload),
      [Subjects.Governance.WorkItemLinkedV1]: (e, em) =>
        LineageReadModel.applyWorkItem(em, requiredHub(e), e.payload),
    });
    this.consumers.register(CONSUMERS.deployment_feedback_candidates, {
      [Subjects.Feedback.CandidateCreatedV1]: (e, em) =>
        LineageReadModel.applyCandidate(em, requiredHub(e), e.payload),
    });
    this.consumers.register(CONSUMERS.deployment_ingestion_widgets, {
      [Subjects.Ingestion.WidgetRegisteredV1]: (e, em) =>
        LineageReadModel.applyWidget(em, e.payload),
      [Subjects.Ingestion.WidgetUpdatedV1]: (e, em) => LineageReadModel.applyWidget(em, e.payload),
    });
  }
}
