import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsRFC3339,
  IsOptional,
  IsString,
  IsUrl,
  Max,
  MaxLength,
  Min,
} from 'class-validator';
import {
  WEBHOOK_DELIVERY_STATUSES,
  WEBHOOK_ENDPOINT_STATUSES,
  type WebhookDeliveryStatus,
  type WebhookEndpointStatus,
} from '@ihf/contracts';
import { NoNulCharacters } from '../../common/text.js';
import { WEBHOOK_EVENT_TYPES } from '../webhook-event-types.js';

const URL_RULES: Parameters<typeof IsUrl>[0] = {
  protocols: ['https', 'http'],
  require_protocol: true,
  require_tld: false,
  allow_underscores: true,
};

export class CreateWebhookEndpointDto {
  @ApiProperty({ example: 'https://hooks.example.com/ihf', maxLength: 2000 })
  @IsUrl(URL_RULES)
  @MaxLength(2000)
  url!: string;

  @ApiProperty({
    type: [String],
    enum: WEBHOOK_EVENT_TYPES,
    description: 'The event types (subjects of the contracts) delivered to it',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  event_types!: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(500)
  description?: string;
}

/** A change of an endpoint; an absent field keeps its value. `active` re-enables a disabled one. */
export class UpdateWebhookEndpointDto {
  @ApiPropertyOptional({ maxLength: 2000 })
  @IsOptional()
  @IsUrl(URL_RULES)
  @MaxLength(2000)
  url?: string;

  @ApiPropertyOptional({ type: [String], enum: WEBHOOK_EVENT_TYPES })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(WEBHOOK_EVENT_TYPES.length)
  @ArrayUnique()
  @IsIn(WEBHOOK_EVENT_TYPES, { each: true })
  event_types?: string[];

  @ApiPropertyOptional({ maxLength: 500 })
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(500)
  description?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_ENDPOINT_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_ENDPOINT_STATUSES)
  status?: WebhookEndpointStatus;
}

export class WebhookEndpointView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) hub_id!: string;
  @ApiProperty() url!: string;
  @ApiProperty({ type: [String] }) event_types!: string[];
  @ApiProperty({ nullable: true, type: String }) description!: string | null;
  @ApiProperty({ enum: WEBHOOK_ENDPOINT_STATUSES }) status!: WebhookEndpointStatus;
  @ApiProperty({ nullable: true, type: String }) disabled_reason!: string | null;
  @ApiProperty({
    format: 'date-time',
    nullable: true,
    type: String,
    description: 'Until when the previous secret also signs (after a rotation)',
  })
  previous_secret_valid_until!: string | null;
  @ApiProperty({ format: 'uuid' }) created_by!: string;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
}

/** An endpoint with its secret: answered only when the secret is created or rotated. */
export class WebhookEndpointWithSecretView extends WebhookEndpointView {
  @ApiProperty({
    example: 'whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw',
    description: 'The signing secret (Standard Webhooks); shown only now',
  })
  secret!: string;
}

export class DeliveryQueryDto {
  @ApiPropertyOptional({ minimum: 1, maximum: 200, default: 50 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(200)
  limit?: number;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @NoNulCharacters()
  @MaxLength(200)
  cursor?: string;

  @ApiPropertyOptional({ enum: WEBHOOK_DELIVERY_STATUSES })
  @IsOptional()
  @IsIn(WEBHOOK_DELIVERY_STATUSES)
  status?: WebhookDeliveryStatus;
}

export class WebhookAttemptView {
  @ApiProperty({ format: 'date-time' }) attempted_at!: string;
  @ApiProperty({ type: 'integer', nullable: true, description: 'None when no answer came' })
  status_code!: number | null;
  @ApiProperty({ type: 'integer' }) response_ms!: number;
  @ApiProperty({ nullable: true, type: String }) error!: string | null;
}

export class WebhookDeliveryView {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty({ format: 'uuid' }) endpoint_id!: string;
  @ApiProperty({ format: 'uuid', description: 'The event, also the `webhook-id`' })
  event_id!: string;
  @ApiProperty() event_type!: string;
  @ApiProperty({ enum: WEBHOOK_DELIVERY_STATUSES }) status!: WebhookDeliveryStatus;
  @ApiProperty({ type: 'integer' }) attempts!: number;
  @ApiProperty({ type: 'integer', nullable: true }) last_status_code!: number | null;
  @ApiProperty({ type: 'integer', nullable: true }) last_response_ms!: number | null;
  @ApiProperty({ nullable: true, type: String }) last_error!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  next_attempt_at!: string | null;
  @ApiProperty({
    format: 'uuid',
    nullable: true,
    type: String,
    description: 'The replayed delivery',
  })
  replay_of!: string | null;
  @ApiProperty({ format: 'date-time' }) created_at!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String }) delivered_at!: string | null;
}

export class WebhookDeliveryDetailView extends WebhookDeliveryView {
  @ApiProperty({ type: [WebhookAttemptView], description: 'Every attempt, oldest first' })
  attempts_log!: WebhookAttemptView[];
}

export class ReplayRangeDto {
  @ApiProperty({ format: 'date-time', description: 'Deliveries created at or after' })
  @IsRFC3339()
  @MaxLength(40)
  from!: string;

  @ApiProperty({ format: 'date-time', description: 'Deliveries created before' })
  @IsRFC3339()
  @MaxLength(40)
  to!: string;
}

export class ReplayedView {
  @ApiProperty({ type: 'integer', description: 'New deliveries queued' }) replayed!: number;
}
