import { type Page } from '@ihf/platform';
import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser } from '@ihf/auth';
import { type AnnotationView } from './annotation.repository.js';
import { AnnotationsService } from './annotations.service.js';
import { CreateAnnotationDto, ListAnnotationsQuery } from './dto/annotation.dto.js';

@ApiTags('annotations')
@ApiBearerAuth()
@Controller('api/v1/annotations')
export class AnnotationsController {
  constructor(private readonly annotations: AnnotationsService) {}

  @Post()
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateAnnotationDto,
  ): Promise<AnnotationView> {
    return this.annotations.create(user, body);
  }

  /** Newest first; retracted annotations only with `include_retracted=true`. */
  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListAnnotationsQuery,
  ): Promise<Page<AnnotationView>> {
    return this.annotations.list(user, query);
  }

  @Get(':id')
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AnnotationView> {
    return this.annotations.get(user, id);
  }

  /** Hides the annotation; its body is kept for the audit. Idempotent. */
  @Post(':id/retract')
  @HttpCode(200)
  retract(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<AnnotationView> {
    return this.annotations.retract(user, id);
  }
}
