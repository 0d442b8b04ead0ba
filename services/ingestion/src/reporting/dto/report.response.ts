import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { type EventResult, type ReportResponse } from './report.dto.js';

export class EventResultResponse implements EventResult {
  @ApiProperty({ type: 'integer', minimum: 0, description: 'Position of the event in the request' })
  index!: number;

  @ApiProperty({
    type: String,
    format: 'uuid',
    nullable: true,
    description: "The client's id, when it sent a valid one",
  })
  id!: string | null;

  @ApiProperty({ enum: ['accepted', 'duplicate', 'rejected'] })
  status!: 'accepted' | 'duplicate' | 'rejected';

  @ApiPropertyOptional({
    description: 'For a rejection: the machine-readable reason',
    example: 'unknown_event_type',
  })
  reason?: string;

  @ApiPropertyOptional({ description: 'For a rejection: the rule of the contract that refused it' })
  rule?: string;

  @ApiPropertyOptional({ enum: ['envelope_contract', 'reporting_contract'] })
  contract_kind?: string;

  @ApiPropertyOptional({ example: '1.0' })
  contract_version?: string;

  @ApiPropertyOptional({ description: 'The refused field', example: 'occurred_at' })
  field?: string;

  @ApiPropertyOptional()
  message?: string;
}

export class ReportAcceptedResponse implements ReportResponse {
  @ApiProperty({ type: 'integer', minimum: 0 })
  accepted!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  duplicate!: number;

  @ApiProperty({ type: 'integer', minimum: 0 })
  rejected!: number;

  @ApiProperty({ type: [EventResultResponse], description: 'One result per event, in order' })
  results!: EventResultResponse[];
}
