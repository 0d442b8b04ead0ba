import { type Page } from '@ihf/platform';
import {
  Body,
  Controller,
  Delete,
  Get,
  HttpCode,
  Patch,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { REVIEW_ROLES } from '../common/roles.js';
import {
  AddThreadAnnotationsDto,
  CreateThreadDto,
  ListThreadsQuery,
  UpdateThreadDto,
} from './dto/thread.dto.js';
import { ThreadsService, type ThreadView } from './threads.service.js';

@ApiTags('threads')
@ApiBearerAuth()
@Controller('api/v1/threads')
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @Post()
  @Roles(...REVIEW_ROLES)
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateThreadDto,
  ): Promise<ThreadView> {
    return this.threads.create(user, body);
  }

  /** With annotation counts, severity mix and last activity; most recently changed first. */
  @Get()
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListThreadsQuery,
  ): Promise<Page<ThreadView>> {
    return this.threads.list(user, query);
  }

  @Get(':id')
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ThreadView> {
    return this.threads.get(user, id);
  }

  @Patch(':id')
  @Roles(...REVIEW_ROLES)
  update(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: UpdateThreadDto,
  ): Promise<ThreadView> {
    return this.threads.update(user, id, body);
  }

  /** Adds annotations of the thread's widget (moving them from another thread if needed). */
  @Post(':id/annotations')
  @HttpCode(200)
  @Roles(...REVIEW_ROLES)
  add(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddThreadAnnotationsDto,
  ): Promise<ThreadView> {
    return this.threads.addAnnotations(user, id, body);
  }

  @Delete(':id/annotations/:annotationId')
  @Roles(...REVIEW_ROLES)
  remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('annotationId', ParseUUIDPipe) annotationId: string,
  ): Promise<ThreadView> {
    return this.threads.removeAnnotation(user, id, annotationId);
  }
}
