import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { CONSUMERS, Subjects } from '@ihf/contracts';
import { EventConsumers } from '@ihf/messaging';
import { RecipientsRepository as R } from './recipients.repository.js';

/**
 * Keeps the read models of identity's users (addresses, roles, hubs). Feedback's and
 * governance's facts (candidates, annotations, requirements) are kept by the notices
 * consumers, in the same transaction as the notices they cause (see `NoticeHandlers`).
 */
@Injectable()
export class RecipientsHandlers implements OnModuleInit {
  constructor(@Inject(EventConsumers) private readonly consumers: EventConsumers) {}

  onModuleInit(): void {
    this.consumers.register(CONSUMERS.notifications_identity, {
      [Subjects.Identity.UserCreatedV1]: (e, em) =>
        R.userCreated(em, e.payload.user_id, e.payload.name, e.payload.email ?? null),
      [Subjects.Identity.MembershipChangedV1]: (e, em) =>
        R.membershipChanged(
          em,
          e.payload.user_id,
          e.payload.roles,
          e.payload.hub_ids,
          e.aggregate_version ?? null,
        ),
      [Subjects.Identity.UserDeactivatedV1]: (e, em) =>
        R.statusChanged(em, e.payload.user_id, true, e.aggregate_version ?? null),
      [Subjects.Identity.UserReactivatedV1]: (e, em) =>
        R.statusChanged(em, e.payload.user_id, false, e.aggregate_version ?? null),
    });
  }
}
