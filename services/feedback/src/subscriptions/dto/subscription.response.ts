import { ApiProperty } from '@nestjs/swagger';
import {
  PARTICIPANT_KINDS,
  type ParticipantKind,
  SUBSCRIPTION_ORIGINS,
  type SubscriptionOrigin,
} from '@ihf/contracts';
import { type SubscribersView, type SubscriptionView } from '../subscriptions.service.js';

export class SubscriptionResponse implements SubscriptionView {
  @ApiProperty({ format: 'uuid' })
  candidate_id!: string;

  @ApiProperty({ description: 'Whether the caller follows the candidate' })
  subscribed!: boolean;

  @ApiProperty({ type: 'integer', minimum: 0 })
  subscriber_count!: number;
}

export class SubscriberResponse {
  @ApiProperty({ enum: PARTICIPANT_KINDS })
  subscriber_kind!: ParticipantKind;

  @ApiProperty({ format: 'uuid', description: 'A user id, or the actor id of a reporter' })
  subscriber_id!: string;

  @ApiProperty({ enum: SUBSCRIPTION_ORIGINS })
  origin!: SubscriptionOrigin;

  @ApiProperty({ format: 'date-time' })
  subscribed_at!: string;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: 'The duplicate it came from with a merge',
  })
  merged_from_candidate_id!: string | null;
}

export class SubscribersResponse implements SubscribersView {
  @ApiProperty({ format: 'uuid' })
  candidate_id!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  subscriber_count!: number;

  @ApiProperty({ type: [SubscriberResponse], description: 'The first 500, oldest first' })
  items!: SubscriberResponse[];
}
