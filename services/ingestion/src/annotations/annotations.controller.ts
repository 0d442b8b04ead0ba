import { Body, Controller, HttpCode, Post, UseFilters } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { IngestionOperationDoc } from '../common/ingestion-operation.decorator.js';
import { ApiKeyAuth, type ApiKeyPrincipal, CurrentApiKey } from '@ihf/auth';
import { RetryAfterFilter } from '../common/retry-after.filter.js';
import { AnnotationsService } from './annotations.service.js';
import { type AnnotationAnswer, SubmitAnnotationDto } from './dto/annotation.dto.js';
import { AnnotationAcceptedResponse } from './dto/annotation.response.js';

@ApiTags('reporting')
@Controller('api/v1/annotations')
@ApiKeyAuth()
@UseFilters(RetryAfterFilter)
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  /** 202 once the annotation is durable (its outbox row committed). */
  @Post()
  @HttpCode(202)
  @IngestionOperationDoc({
    summary: 'Submit an annotation on a widget',
    description:
      "Feedback written on a widget by a user of the hub's site, authenticated with the hub's API key. " +
      'Answered once the annotation is durable; feedback then receives it as an event. A resend with the same id is a duplicate.',
    auth: 'api-key',
    response: {
      status: 202,
      description: 'Stored (or already stored)',
      type: AnnotationAcceptedResponse,
    },
    body: true,
    problems: {
      422: ['INGESTION.ANNOTATION_REFUSED'],
      503: ['INGESTION.STORAGE_UNAVAILABLE'],
    },
  })
  submit(
    @CurrentApiKey() key: ApiKeyPrincipal,
    @Body() dto: SubmitAnnotationDto,
  ): Promise<AnnotationAnswer> {
    return this.annotations.submit(key, dto);
  }
}
