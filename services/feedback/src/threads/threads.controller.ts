import { ApiOperationDoc, type Page } from '@ihf/platform';
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
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { REVIEW_ROLES } from '../common/roles.js';
import {
  AddThreadAnnotationsDto,
  CreateThreadDto,
  ListThreadsQuery,
  UpdateThreadDto,
} from './dto/thread.dto.js';
import { ThreadResponse } from './dto/thread.response.js';
import { ThreadsService, type ThreadView } from './threads.service.js';

@ApiTags('threads')
@Controller('api/v1/threads')
export class ThreadsController {
  constructor(private readonly threads: ThreadsService) {}

  @Post()
  @Roles(...REVIEW_ROLES)
  @ApiOperationDoc({
    summary: 'Create a thread',
    description:
      'Groups annotations of one widget under a title, optionally with annotations at once.',
    response: { status: 201, description: 'The thread', type: ThreadResponse },
    body: true,
    problems: {
      403: [],
      404: ['FEEDBACK.WIDGET_NOT_FOUND'],
      422: ['FEEDBACK.ANNOTATION_ON_OTHER_WIDGET'],
      503: ['FEEDBACK.WIDGET_LOOKUP_UNAVAILABLE'],
    },
  })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateThreadDto,
  ): Promise<ThreadView> {
    return this.threads.create(user, body);
  }

  /** With annotation counts, severity mix and last activity; most recently changed first. */
  @Get()
  @ApiOperationDoc({
    summary: 'List threads',
    description:
      "Threads of the caller's hubs with annotation counts, severity mix and last activity; most recently changed first, keyset-paginated.",
    response: { status: 200, description: 'A page of threads', type: ThreadResponse, page: true },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListThreadsQuery,
  ): Promise<Page<ThreadView>> {
    return this.threads.list(user, query);
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get a thread',
    description: "One thread of the caller's hubs.",
    response: { status: 200, description: 'The thread', type: ThreadResponse },
    problems: { 400: [], 404: ['FEEDBACK.THREAD_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ThreadView> {
    return this.threads.get(user, id);
  }

  @Patch(':id')
  @Roles(...REVIEW_ROLES)
  @ApiOperationDoc({
    summary: 'Change a thread',
    description: 'Changes its title or description (`null` clears the description).',
    response: { status: 200, description: 'The thread', type: ThreadResponse },
    body: true,
    problems: { 403: [], 404: ['FEEDBACK.THREAD_NOT_FOUND'] },
    uuidParams: ['id'],
  })
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
  @ApiOperationDoc({
    summary: 'Add annotations to a thread',
    description:
      "Adds annotations of the thread's widget, moving them from another thread if needed.",
    response: { status: 200, description: 'The thread', type: ThreadResponse },
    body: true,
    problems: {
      403: [],
      404: ['FEEDBACK.THREAD_NOT_FOUND'],
      422: ['FEEDBACK.ANNOTATION_ON_OTHER_WIDGET'],
    },
    uuidParams: ['id'],
  })
  add(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddThreadAnnotationsDto,
  ): Promise<ThreadView> {
    return this.threads.addAnnotations(user, id, body);
  }

  @Delete(':id/annotations/:annotationId')
  @Roles(...REVIEW_ROLES)
  @ApiOperationDoc({
    summary: 'Remove an annotation from a thread',
    description: 'The annotation stays, outside any thread.',
    response: { status: 200, description: 'The thread', type: ThreadResponse },
    problems: {
      400: [],
      403: [],
      404: ['FEEDBACK.THREAD_NOT_FOUND', 'FEEDBACK.ANNOTATION_NOT_IN_THREAD'],
    },
    uuidParams: ['id', 'annotationId'],
  })
  remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Param('annotationId', ParseUUIDPipe) annotationId: string,
  ): Promise<ThreadView> {
    return this.threads.removeAnnotation(user, id, annotationId);
  }
}
