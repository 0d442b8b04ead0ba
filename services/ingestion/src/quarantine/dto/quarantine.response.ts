import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  type QuarantineCountView,
  type QuarantineEntryView,
  type ReplayResponse,
  type ReplayResultView,
} from './quarantine.dto.js';

export class QuarantineEntryResponse implements QuarantineEntryView {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ format: 'uuid' })
  hub_id!: string;

  @ApiProperty({ enum: ['interaction_event', 'annotation'] })
  kind!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  event_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  widget_id!: string | null;

  // Any JSON value: a batch may hold strings or arrays where an event object belongs.
  @ApiProperty({
    description: 'The refused event as received (any JSON value), size-capped',
    nullable: true,
    oneOf: [
      { type: 'object', additionalProperties: true },
      { type: 'array', items: {} },
      { type: 'string' },
      { type: 'number' },
      { type: 'boolean' },
    ],
  })
  raw!: unknown;

  @ApiProperty()
  raw_truncated!: boolean;

  @ApiProperty({ example: 'unknown_event_type' })
  reason!: string;

  @ApiProperty()
  rule!: string;

  @ApiProperty({ type: String, nullable: true })
  contract_kind!: string | null;

  @ApiProperty({ type: String, nullable: true })
  contract_version!: string | null;

  @ApiProperty({ type: String, nullable: true })
  detail!: string | null;

  @ApiProperty({ format: 'date-time' })
  received_at!: string;

  @ApiProperty({ type: 'integer', minimum: 0 })
  replay_count!: number;
}

export class QuarantineCountResponse implements QuarantineCountView {
  @ApiProperty()
  reason!: string;

  @ApiProperty()
  rule!: string;

  @ApiProperty({ type: String, nullable: true })
  contract_kind!: string | null;

  @ApiProperty({ type: String, nullable: true })
  contract_version!: string | null;

  @ApiProperty({ type: 'integer', minimum: 0 })
  count!: number;
}

export class QuarantineCountsResponse {
  @ApiProperty({ type: [QuarantineCountResponse] })
  items!: QuarantineCountResponse[];

  @ApiProperty({ type: 'integer', minimum: 0 })
  total!: number;
}

export class ReplayResultResponse implements ReplayResultView {
  @ApiProperty({ format: 'uuid' })
  quarantine_id!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  event_id!: string | null;

  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] })
  status!: 'accepted' | 'duplicate' | 'rejected';

  @ApiPropertyOptional()
  reason?: string;

  @ApiPropertyOptional()
  rule?: string;
}

export class ReplayQuarantineResponse implements ReplayResponse {
  @ApiProperty({ type: 'integer', minimum: 0 })
  replayed!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  accepted!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  duplicate!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  rejected!: number;

  @ApiProperty({ type: [ReplayResultResponse] })
  results!: ReplayResultResponse[];
}
