import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  UseFilters,
} from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { Role, Roles } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { READER_ROLES } from '../common/roles.js';
import { ContractsService } from './contracts.service.js';
import {
  ChangeAdapterSpecStatusDto,
  ChangeContractStatusDto,
  CreateAdapterSpecDto,
  CreateEnvelopeContractDto,
  CreateReportingContractDto,
  ListRegistryQueryDto,
  ValidateEnvelopeDto,
} from './dto/contracts.dto.js';
import {
  AdapterSpecResponse,
  EnvelopeContractResponse,
  EnvelopeValidationResponse,
  ReportingContractResponse,
} from './dto/contracts.response.js';

/** The contract registry (phase 6 of the seed): read by every role, changed by admins. */
@ApiTags('contracts')
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Get('envelope-contracts')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'List envelope contracts',
    description:
      'An envelope contract says which data-* attributes a widget root element must carry. Every envelope contract, optionally filtered by status.',
    response: {
      status: 200,
      description: 'The envelope contracts',
      type: EnvelopeContractResponse,
      list: true,
    },
    problems: { 400: [], 403: [] },
  })
  listEnvelope(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listEnvelope(q);
  }

  @Get('envelope-contracts/:id')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'Get an envelope contract',
    description:
      'An envelope contract says which data-* attributes a widget root element must carry.',
    response: { status: 200, description: 'The envelope contract', type: EnvelopeContractResponse },
    problems: { 400: [], 403: [], 404: ['INGESTION.CONTRACT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  getEnvelope(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getEnvelope(id);
  }

  @Post('envelope-contracts')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Create an envelope contract',
    description:
      'An envelope contract says which data-* attributes a widget root element must carry. Created as a draft. Admins only.',
    response: {
      status: 201,
      description: 'The new envelope contract',
      type: EnvelopeContractResponse,
    },
    body: true,
    problems: {
      403: [],
      409: ['INGESTION.CONTRACT_EXISTS'],
      422: ['INGESTION.INVALID_VALIDATION_RULES'],
    },
  })
  createEnvelope(@Body() dto: CreateEnvelopeContractDto) {
    return this.contracts.createEnvelope(dto);
  }

  @Post('envelope-contracts/:id/status')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Change the status of an envelope contract',
    description:
      'Activating a contract supersedes the active one of its kind. Answers 409 with the allowed transitions when the change is not allowed. Admins only.',
    response: {
      status: 201,
      description: 'The changed envelope contract',
      type: EnvelopeContractResponse,
    },
    body: true,
    problems: {
      403: [],
      404: ['INGESTION.CONTRACT_NOT_FOUND'],
      409: ['INGESTION.CONTRACT_TRANSITION_NOT_ALLOWED'],
    },
    uuidParams: ['id'],
  })
  changeEnvelopeStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeContractStatusDto,
  ) {
    return this.contracts.changeEnvelopeStatus(id, dto.status);
  }

  @Post('envelope-contracts/active/validate')
  @HttpCode(200)
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'Check data-* attributes against the active envelope contract',
    description:
      'Every refusal of the active envelope contract for the given attributes of a widget root element (none: valid).',
    response: { status: 200, description: 'The verdict', type: EnvelopeValidationResponse },
    body: true,
    problems: { 403: [] },
  })
  validateEnvelope(@Body() dto: ValidateEnvelopeDto) {
    return this.contracts.validateEnvelope(dto.attributes);
  }

  @Get('reporting-contracts')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'List reporting contracts',
    description:
      'A reporting contract says which events the reporting endpoint accepts and how they are checked. Every reporting contract, optionally filtered by status.',
    response: {
      status: 200,
      description: 'The reporting contracts',
      type: ReportingContractResponse,
      list: true,
    },
    problems: { 400: [], 403: [] },
  })
  listReporting(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listReporting(q);
  }

  @Get('reporting-contracts/:id')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'Get a reporting contract',
    description:
      'A reporting contract says which events the reporting endpoint accepts and how they are checked.',
    response: {
      status: 200,
      description: 'The reporting contract',
      type: ReportingContractResponse,
    },
    problems: { 400: [], 403: [], 404: ['INGESTION.CONTRACT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  getReporting(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getReporting(id);
  }

  @Post('reporting-contracts')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Create a reporting contract',
    description:
      'A reporting contract says which events the reporting endpoint accepts and how they are checked. Created as a draft. Admins only.',
    response: {
      status: 201,
      description: 'The new reporting contract',
      type: ReportingContractResponse,
    },
    body: true,
    problems: {
      403: [],
      409: ['INGESTION.CONTRACT_EXISTS'],
      422: ['INGESTION.INVALID_VALIDATION_RULES'],
    },
  })
  createReporting(@Body() dto: CreateReportingContractDto) {
    return this.contracts.createReporting(dto);
  }

  @Post('reporting-contracts/:id/status')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Change the status of a reporting contract',
    description:
      'Activating a contract supersedes the active one of its kind. Answers 409 with the allowed transitions when the change is not allowed. Admins only.',
    response: {
      status: 201,
      description: 'The changed reporting contract',
      type: ReportingContractResponse,
    },
    body: true,
    problems: {
      403: [],
      404: ['INGESTION.CONTRACT_NOT_FOUND'],
      409: ['INGESTION.CONTRACT_TRANSITION_NOT_ALLOWED'],
    },
    uuidParams: ['id'],
  })
  changeReportingStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeContractStatusDto,
  ) {
    return this.contracts.changeReportingStatus(id, dto.status);
  }

  @Get('adapter-specs')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'List adapter specs',
    description:
      'An adapter spec describes a framework adapter of the browser SDK and the contracts it implements. Every adapter spec, optionally filtered by status.',
    response: {
      status: 200,
      description: 'The adapter specs',
      type: AdapterSpecResponse,
      list: true,
    },
    problems: { 400: [], 403: [] },
  })
  listAdapterSpecs(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listAdapterSpecs(q);
  }

  @Get('adapter-specs/:id')
  @Roles(...READER_ROLES)
  @IngestionOperationDoc({
    summary: 'Get an adapter spec',
    description:
      'An adapter spec describes a framework adapter of the browser SDK and the contracts it implements.',
    response: { status: 200, description: 'The adapter spec', type: AdapterSpecResponse },
    problems: { 400: [], 403: [], 404: ['INGESTION.CONTRACT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  getAdapterSpec(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getAdapterSpec(id);
  }

  @Post('adapter-specs')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Create an adapter spec',
    description:
      'An adapter spec describes a framework adapter of the browser SDK and the contracts it implements. Created as a draft. Admins only.',
    response: { status: 201, description: 'The new adapter spec', type: AdapterSpecResponse },
    body: true,
    problems: {
      403: [],
      409: ['INGESTION.CONTRACT_EXISTS'],
      422: ['INGESTION.CONTRACT_REFERENCE_UNKNOWN'],
    },
  })
  createAdapterSpec(@Body() dto: CreateAdapterSpecDto) {
    return this.contracts.createAdapterSpec(dto);
  }

  @Post('adapter-specs/:id/status')
  @Roles(Role.Admin)
  @IngestionOperationDoc({
    summary: 'Change the status of an adapter spec',
    description:
      'Answers 409 with the allowed transitions when the change is not allowed. Admins only.',
    response: { status: 201, description: 'The changed adapter spec', type: AdapterSpecResponse },
    body: true,
    problems: {
      403: [],
      404: ['INGESTION.CONTRACT_NOT_FOUND'],
      409: ['INGESTION.CONTRACT_TRANSITION_NOT_ALLOWED'],
    },
    uuidParams: ['id'],
  })
  changeAdapterSpecStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeAdapterSpecStatusDto,
  ) {
    return this.contracts.changeAdapterSpecStatus(id, dto.status);
  }
}
