import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  IsArray,
  IsIn,
  IsObject,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  MaxLength,
  MinLength,
} from 'class-validator';
import { ADAPTER_SPEC_STATUSES, CONTRACT_STATUSES } from '@ihf/contracts';

const VERSION = /^[0-9]+(\.[0-9]+){0,2}$/;
const ATTRIBUTE = /^data-[a-z0-9-]{1,60}$/;
const FIELD = /^[a-z][a-z0-9_]{0,60}$/;
const NAME = /^[a-z0-9][a-z0-9.-]{0,99}$/;

export class CreateEnvelopeContractDto {
  @ApiProperty({ example: '1.1' })
  @Matches(VERSION, { message: 'contract_version must look like 1.1' })
  contract_version!: string;

  @ApiProperty({ example: ['data-widget-id', 'data-view-context', 'data-hub-id'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ATTRIBUTE, { each: true, message: 'attributes must be data-* names' })
  required_attributes!: string[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(ATTRIBUTE, { each: true, message: 'attributes must be data-* names' })
  optional_attributes?: string[];

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Rules for the evaluator (see the service README)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  validation_rules?: Record<string, unknown>[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class CreateReportingContractDto {
  @ApiProperty({ example: '1.1' })
  @Matches(VERSION, { message: 'contract_version must look like 1.1' })
  contract_version!: string;

  @ApiProperty({ example: '/api/v1/interaction-events' })
  @Matches(/^\/[A-Za-z0-9/_-]{1,199}$/, { message: 'endpoint_path must be a path' })
  endpoint_path!: string;

  @ApiProperty({ example: ['clicked', 'viewed', 'submitted'] })
  @IsArray()
  @ArrayMaxSize(200)
  @Matches(FIELD, { each: true, message: 'event types are lower snake case' })
  accepted_event_types!: string[];

  @ApiProperty({ example: ['widget_id', 'hub_id', 'event_type', 'occurred_at'] })
  @IsArray()
  @ArrayMaxSize(50)
  @Matches(FIELD, { each: true, message: 'fields are lower snake case' })
  required_fields!: string[];

  @ApiPropertyOptional({ default: 'bearer' })
  @IsOptional()
  @IsIn(['bearer'])
  auth_scheme?: string;

  @ApiPropertyOptional({
    type: 'array',
    items: { type: 'object', additionalProperties: true },
    description: 'Rules for the evaluator (see the service README)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(200)
  @IsObject({ each: true })
  validation_rules?: Record<string, unknown>[];

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  description?: string;
}

export class CreateAdapterSpecDto {
  @ApiProperty({ example: 'svelte-5' })
  @Matches(NAME, { message: 'name must be lower-case letters, digits, . and -' })
  name!: string;

  @ApiProperty({ example: 'svelte' })
  @IsString()
  @MinLength(1)
  @MaxLength(100)
  framework!: string;

  @ApiProperty({ example: '1.0' })
  @Matches(VERSION, { message: 'version must look like 1.0' })
  version!: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  envelope_contract_id?: string;

  @ApiPropertyOptional({ format: 'uuid' })
  @IsOptional()
  @IsUUID()
  reporting_contract_id?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(2000)
  notes?: string;
}

export class ChangeContractStatusDto {
  @ApiProperty({ enum: CONTRACT_STATUSES })
  @IsIn(CONTRACT_STATUSES)
  status!: (typeof CONTRACT_STATUSES)[number];
}

export class ChangeAdapterSpecStatusDto {
  @ApiProperty({ enum: ADAPTER_SPEC_STATUSES })
  @IsIn(ADAPTER_SPEC_STATUSES)
  status!: (typeof ADAPTER_SPEC_STATUSES)[number];
}

export class ListRegistryQueryDto {
  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(20)
  status?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @MaxLength(100)
  framework?: string;
}

export class ValidateEnvelopeDto {
  @ApiProperty({
    type: 'object',
    additionalProperties: { type: 'string' },
    example: { 'data-widget-id': '7b0f4b6e-4c1e-4c57-9a0e-1f1d8a6e2f10', 'data-hub-id': '…' },
    description: 'The data-* attributes of a widget root element',
  })
  @IsObject()
  attributes!: Record<string, string>;
}
