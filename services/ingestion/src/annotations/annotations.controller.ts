import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { AnnotationsService } from './annotations.service.js';
import { type AnnotationAnswer, SubmitAnnotationDto } from './dto/annotation.dto.js';

@ApiTags('reporting')
@ApiBearerAuth()
@Controller('api/v1/annotations')
@ApiKeyAuth()
@UseFilters(RetryAfterFilter)
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  /** 202 once the annotation is durable (its outbox row committed). */
  @Post()
  @HttpCode(202)
  submit(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Body() dto: SubmitAnnotationDto,
  ): Promise<AnnotationAnswer> {
    return this.annotations.submit(key, dto);
  }
}
