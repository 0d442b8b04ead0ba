import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { type CandidateView } from '../candidates/candidate.repository.js';
import { REVIEW_ROLES } from '../common/roles.js';
import { CandidateResponse } from '../candidates/dto/candidate.response.js';
import { TransitionDto, TriageQueueQuery } from './dto/triage.dto.js';
import { TriageQueueResponse } from './dto/triage.response.js';
import { TriageQueueService, type TriageQueuePage } from './triage-queue.service.js';
import { TriageService } from './triage.service.js';

@ApiTags('triage')
@Controller('api/v1')
export class TriageController {
  constructor(
    private readonly triage: TriageService,
    private readonly queue: TriageQueueService,
  ) {}

  /** Moves a candidate in the workflow; 409 with `allowed_transitions` when not allowed. */
  @Post('candidates/:id/transitions')
  @HttpCode(200)
  @Roles(...REVIEW_ROLES)
  @ApiOperationDoc({
    summary: 'Move a candidate in the triage workflow',
    description:
      'Changes its status; 409 with `allowed_transitions` when the move is not allowed, or when `expected_version` is not the current version. Once a reviewer is assigned, only they (or a triager) may move it.',
    response: { status: 200, description: 'The candidate', type: CandidateResponse },
    body: true,
    problems: {
      403: ['FEEDBACK.NOT_ASSIGNED_REVIEWER'],
      404: ['FEEDBACK.CANDIDATE_NOT_FOUND'],
      409: ['FEEDBACK.TRANSITION_NOT_ALLOWED', 'FEEDBACK.CANDIDATE_VERSION_CONFLICT'],
      422: ['FEEDBACK.DUPLICATE_TARGET_REQUIRED', 'FEEDBACK.INVALID_DUPLICATE_TARGET'],
    },
    uuidParams: ['id'],
  })
  transition(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TransitionDto,
  ): Promise<CandidateView> {
    return this.triage.transition(user, id, body);
  }

  /** Candidates by severity then age, filtered, with counts per status. */
  @Get('triage/queue')
  @ApiOperationDoc({
    summary: 'The triage queue',
    description:
      "Candidates of the caller's hubs by severity then age, filtered, with the count per status under the same filters; keyset-paginated.",
    response: { status: 200, description: 'A page of the queue', type: TriageQueueResponse },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  queuePage(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: TriageQueueQuery,
  ): Promise<TriageQueuePage> {
    return this.queue.page(user, query);
  }
}
