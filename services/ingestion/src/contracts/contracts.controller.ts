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
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
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

/** The contract registry (phase 6 of the seed): read by every role, changed by admins. */
@ApiTags('contracts')
@ApiBearerAuth()
@UseFilters(RetryAfterFilter)
@Controller('api/v1')
export class ContractsController {
  constructor(private readonly contracts: ContractsService) {}

  @Get('envelope-contracts')
  @Roles(...READER_ROLES)
  listEnvelope(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listEnvelope(q);
  }

  @Get('envelope-contracts/:id')
  @Roles(...READER_ROLES)
  getEnvelope(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getEnvelope(id);
  }

  @Post('envelope-contracts')
  @Roles(Role.Admin)
  createEnvelope(@Body() dto: CreateEnvelopeContractDto) {
    return this.contracts.createEnvelope(dto);
  }

  @Post('envelope-contracts/:id/status')
  @Roles(Role.Admin)
  changeEnvelopeStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeContractStatusDto,
  ) {
    return this.contracts.changeEnvelopeStatus(id, dto.status);
  }

  @Post('envelope-contracts/active/validate')
  @HttpCode(200)
  @Roles(...READER_ROLES)
  validateEnvelope(@Body() dto: ValidateEnvelopeDto) {
    return this.contracts.validateEnvelope(dto.attributes);
  }

  @Get('reporting-contracts')
  @Roles(...READER_ROLES)
  listReporting(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listReporting(q);
  }

  @Get('reporting-contracts/:id')
  @Roles(...READER_ROLES)
  getReporting(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getReporting(id);
  }

  @Post('reporting-contracts')
  @Roles(Role.Admin)
  createReporting(@Body() dto: CreateReportingContractDto) {
    return this.contracts.createReporting(dto);
  }

  @Post('reporting-contracts/:id/status')
  @Roles(Role.Admin)
  changeReportingStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeContractStatusDto,
  ) {
    return this.contracts.changeReportingStatus(id, dto.status);
  }

  @Get('adapter-specs')
  @Roles(...READER_ROLES)
  listAdapterSpecs(@Query() q: ListRegistryQueryDto) {
    return this.contracts.listAdapterSpecs(q);
  }

  @Get('adapter-specs/:id')
  @Roles(...READER_ROLES)
  getAdapterSpec(@Param('id', ParseUUIDPipe) id: string) {
    return this.contracts.getAdapterSpec(id);
  }

  @Post('adapter-specs')
  @Roles(Role.Admin)
  createAdapterSpec(@Body() dto: CreateAdapterSpecDto) {
    return this.contracts.createAdapterSpec(dto);
  }

  @Post('adapter-specs/:id/status')
  @Roles(Role.Admin)
  changeAdapterSpecStatus(
    @Param('id', ParseUUIDPipe) id: string,
    @Body() dto: ChangeAdapterSpecStatusDto,
  ) {
    return this.contracts.changeAdapterSpecStatus(id, dto.status);
  }
}
