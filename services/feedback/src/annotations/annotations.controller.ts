import { ApiOperationDoc, type Page } from '@ihf/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser } from '@ihf/auth';
import { type AnnotationView } from './annotation.repository.js';
import { AnnotationsService } from './annotations.service.js';
import { CreateAnnotationDto, ListAnnotationsQuery } from './dto/annotation.dto.js';
import { AnnotationResponse } from './dto/annotation.response.js';

@ApiTags('annotations')
@Controller('api/v1/annotations')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @Post()
  @ApiOperationDoc({
    summary: 'Write an annotation',
    description:
      'Feedback on a widget of a hub the caller belongs to, optionally answering another annotation or in a thread. The widget is looked up in the read model, else asked of ingestion.',
    response: { status: 201, description: 'The annotation', type: AnnotationResponse },
    body: true,
    problems: {
      404: ['FEEDBACK.WIDGET_NOT_FOUND'],
      409: ['FEEDBACK.WIDGET_RETIRED', 'FEEDBACK.ANNOTATION_ID_TAKEN'],
      422: ['FEEDBACK.INVALID_PARENT', 'FEEDBACK.INVALID_THREAD'],
      503: ['FEEDBACK.WIDGET_LOOKUP_UNAVAILABLE'],
    },
  })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateAnnotationDto,
  ): Promise<AnnotationView> {
    return this.annotations.create(user, body);
  }

  /** Newest first; retracted annotations only with `include_retracted=true`. */
  @Get()
  @ApiOperationDoc({
    summary: 'List annotations',
    description:
      "Annotations of the caller's hubs, newest first, by hub, widget or thread; retracted ones only with `include_retracted=true`. Keyset-paginated.",
    response: {
      status: 200,
      description: 'A page of annotations',
      type: AnnotationResponse,
      page: true,
    },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListAnnotationsQuery,
  ): Promise<Page<AnnotationView>> {
    return this.annotations.list(user, query);
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get an annotation',
    description: "One annotation of the caller's hubs.",
    response: { status: 200, description: 'The annotation', type: AnnotationResponse },
    problems: { 400: [], 404: ['FEEDBACK.ANNOTATION_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AnnotationView> {
    return this.annotations.get(user, id);
  }

  /** Hides the annotation; its body is kept for the audit. Idempotent. */
  @Post(':id/retract')
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Retract an annotation',
    description:
      'Hides the annotation from lists; its body is kept for the audit. By its author or a triager. Idempotent.',
    response: { status: 200, description: 'The retracted annotation', type: AnnotationResponse },
    problems: {
      400: [],
      403: ['FEEDBACK.RETRACT_FORBIDDEN'],
      404: ['FEEDBACK.ANNOTATION_NOT_FOUND'],
    },
    uuidParams: ['id'],
  })
  retract(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AnnotationView> {
    return this.annotations.retract(user, id);
  }
}
