import { ApiProperty } from '@nestjs/swagger';
import {
  ADAPTER_SPEC_STATUSES,
  type AdapterSpecStatus,
  CONTRACT_STATUSES,
  type ContractStatus,
} from '@ihf/contracts';
import {
  type adapterSpecView,
  type envelopeView,
  type reportingView,
} from '../contracts.service.js';
import { type Refusal } from '../rule-evaluator.js';
import { type ValidationRule } from '../validation-rule.js';

const RULES = {
  type: 'array',
  items: { type: 'object', additionalProperties: true },
  description: 'Rules for the evaluator (see the service README)',
} as const;

export class EnvelopeContractResponse implements ReturnType<typeof envelopeView> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '1.1' })
  contract_version!: string;

  @ApiProperty({ type: [String], example: ['data-widget-id', 'data-hub-id'] })
  required_attributes!: string[];

  @ApiProperty({ type: [String] })
  optional_attributes!: string[];

  @ApiProperty(RULES)
  validation_rules!: ValidationRule[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: CONTRACT_STATUSES })
  status!: ContractStatus;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class ReportingContractResponse implements ReturnType<typeof reportingView> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: '1.1' })
  contract_version!: string;

  @ApiProperty({ example: '/api/v1/interaction-events' })
  endpoint_path!: string;

  @ApiProperty({ type: [String], example: ['clicked', 'viewed'] })
  accepted_event_types!: string[];

  @ApiProperty({ type: [String], example: ['widget_id', 'event_type', 'occurred_at'] })
  required_fields!: string[];

  @ApiProperty({ example: 'bearer' })
  auth_scheme!: string;

  @ApiProperty(RULES)
  validation_rules!: ValidationRule[];

  @ApiProperty({ type: String, nullable: true })
  description!: string | null;

  @ApiProperty({ enum: CONTRACT_STATUSES })
  status!: ContractStatus;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class AdapterSpecResponse implements ReturnType<typeof adapterSpecView> {
  @ApiProperty({ format: 'uuid' })
  id!: string;

  @ApiProperty({ example: 'svelte-5' })
  name!: string;

  @ApiProperty({ example: 'svelte' })
  framework!: string;

  @ApiProperty({ example: '1.0' })
  version!: string;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  envelope_contract_id!: string | null;

  @ApiProperty({ type: String, format: 'uuid', nullable: true })
  reporting_contract_id!: string | null;

  @ApiProperty({ enum: ADAPTER_SPEC_STATUSES })
  status!: AdapterSpecStatus;

  @ApiProperty({ type: String, nullable: true })
  notes!: string | null;

  @ApiProperty({ format: 'date-time' })
  created_at!: string;

  @ApiProperty({ format: 'date-time' })
  updated_at!: string;
}

export class RefusalResponse implements Refusal {
  @ApiProperty({ example: 'missing_attribute' })
  reason!: string;

  @ApiProperty()
  rule!: string;

  @ApiProperty({ enum: ['envelope_contract', 'reporting_contract'] })
  contract_kind!: Refusal['contract_kind'];

  @ApiProperty({ example: '1.0' })
  contract_version!: string;

  @ApiProperty({ example: 'data-widget-id' })
  field!: string;

  @ApiProperty()
  message!: string;
}

export class EnvelopeValidationResponse {
  @ApiProperty({
    type: String,
    nullable: true,
    description: 'The active envelope contract; null when none is active',
  })
  contract_version!: string | null;

  @ApiProperty()
  valid!: boolean;

  @ApiProperty({ type: [RefusalResponse] })
  refusals!: RefusalResponse[];
}
