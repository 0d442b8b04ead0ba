import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { type CandidateView } from '../candidates/candidate.repository.js';
import { REVIEW_ROLES } from '../common/roles.js';
import { TransitionDto, TriageQueueQuery } from './dto/triage.dto.js';
import { TriageQueueService, type TriageQueuePage } from './triage-queue.service.js';
import { TriageService } from './triage.service.js';

@ApiTags('triage')
@ApiBearerAuth()
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
  transition(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: TransitionDto,
  ): Promise<CandidateView> {
    return this.triage.transition(user, id, body);
  }

  /** Candidates by severity then age, filtered, with counts per status. */
  @Get('triage/queue')
  queuePage(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: TriageQueueQuery,
  ): Promise<TriageQueuePage> {
    return this.queue.page(user, query);
  }
}
