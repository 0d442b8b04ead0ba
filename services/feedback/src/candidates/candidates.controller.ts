import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { TRIAGE_ROLES } from '../common/roles.js';
import { type CandidateView } from './candidate.repository.js';
import { type CandidateHistoryView, CandidatesService } from './candidates.service.js';
import { CreateCandidateDto } from './dto/candidate.dto.js';

@ApiTags('candidates')
@ApiBearerAuth()
@Controller('api/v1/candidates')
export class CandidatesController {
  constructor(private readonly candidates: CandidatesService) {}

  /** Escalates an annotation or a thread into a requirement candidate (status `open`). */
  @Post()
  @Roles(...TRIAGE_ROLES)
  create(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateCandidateDto,
  ): Promise<CandidateView> {
    return this.candidates.create(user, body);
  }

  @Get(':id')
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CandidateView> {
    return this.candidates.get(user, id);
  }

  /** Its transitions, assignment changes and source annotations, in one answer. */
  @Get(':id/history')
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<CandidateHistoryView> {
    return this.candidates.history(user, id);
  }
}
