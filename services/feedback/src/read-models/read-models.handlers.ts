import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, Subjects } from '@ihf/contracts';
import { EventConsumers } from '@ihf/messaging';
import { PrincipalReadModel } from './principal-read-model.repository.js';
import { WidgetReadModel } from './widget-read-model.repository.js';

/**
 * Keeps the read models of other services' data: widgets from ingestion, users' roles and hubs
 * from identity. Each handler runs in the consumer's transaction with its inbox record.
 */
@Injectable()
export class ReadModelHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.feedback_ingestion_widgets, {
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
    this.consumers.register(CONSUMERS.feedback_identity, {
      [Subjects.Identity.UserCreatedV1]: async (e, em) => {
        await PrincipalReadModel.applyCreated(
          em,
          e.payload.user_id,
          e.payload.roles,
          new Date(e.occurred_at),
        );
      },
      [Subjects.Identity.MembershipChangedV1]: async (e, em) => {
        await PrincipalReadModel.applyMembership(
          em,
          e.payload.user_id,
          e.payload.roles,
          e.payload.hub_ids,
          new Date(e.occurred_at),
        );
      },
    });
  }
}
