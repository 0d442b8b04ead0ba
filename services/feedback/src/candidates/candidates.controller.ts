import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { TRIAGE_ROLES } from '../common/roles.js';
import { type CandidateView } from './candidate.repository.js';
import { type CandidateHistoryView, CandidatesService } from './candidates.service.js';
import { CreateCandidateDto } from './dto/candidate.dto.js';
import { CandidateHistoryResponse, CandidateResponse } from './dto/candidate.response.js';

@ApiTags('candidates')
@Controller('api/v1/candidates')
export class CandidatesController {
  constructor(private readonly candidates: CandidatesService) {}

  /** Escalates an annotation or a thread into a requirement candidate (status `open`). */
  @Post()
  @Roles(...TRIAGE_ROLES)
  @ApiOperationDoc({
    summary: 'Create a requirement candidate',
    description:
      'Escalates an annotation or a thread into a requirement candidate (status `open`).',
    response: { status: 201, description: 'The candidate', type: CandidateResponse },
    body: true,
    problems: {
      403: [],
      422: ['FEEDBACK.CANDIDATE_SOURCE_REQUIRED', 'FEEDBACK.INVALID_CANDIDATE_SOURCE'],
    },
  })
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateCandidateDto,
  ): Promise<CandidateView> {
    return this.candidates.create(user, body);
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get a requirement candidate',
    description:
      "One candidate of the caller's hubs, with the transitions allowed from its status.",
    response: { status: 200, description: 'The candidate', type: CandidateResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CandidateView> {
    return this.candidates.get(user, id);
  }

  /** Its transitions, assignment changes and source annotations, in one answer. */
  @Get(':id/history')
  @ApiOperationDoc({
    summary: "Get a candidate's history",
    description: 'Its transitions, reviewer changes and source annotations, in one answer.',
    response: { status: 200, description: 'The history', type: CandidateHistoryResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CandidateHistoryView> {
    return this.candidates.history(user, id);
  }
}
