import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { TRIAGE_ROLES } from '../common/roles.js';
import { MergeCandidateDto } from './dto/merge.dto.js';
import { MergeResponse, MergesResponse } from './dto/merge.response.js';
import { MergesService, type MergesView, type MergeView } from './merges.service.js';

@ApiTags('merges')
@Controller('api/v1')
export class MergesController {
  constructor(private readonly merges: MergesService) {}

  @Post('candidates/:id/merge')
  @Roles(...TRIAGE_ROLES)
  @ApiOperationDoc({
    summary: 'Merge a duplicate candidate into another',
    description:
      'Marks the candidate of the path a duplicate of `into_id` (the triage transition) and moves its votes, subscribers and source annotations to it; a person on both counts once. The duplicate stays readable. Undo with POST /api/v1/merges/{id}/undo.',
    response: { status: 201, description: 'The merge', type: MergeResponse },
    body: true,
    problems: {
      403: [],
      404: ['FEEDBACK.CANDIDATE_NOT_FOUND'],
      409: ['FEEDBACK.TRANSITION_NOT_ALLOWED', 'FEEDBACK.CANDIDATE_VERSION_CONFLICT'],
      422: ['FEEDBACK.INVALID_DUPLICATE_TARGET'],
    },
    uuidParams: ['id'],
  })
  merge(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: MergeCandidateDto,
  ): Promise<MergeView> {
    return this.merges.merge(user, id, body);
  }

  @Post('merges/:mergeId/undo')
  @HttpCode(200)
  @Roles(...TRIAGE_ROLES)
  @ApiOperationDoc({
    summary: 'Undo a merge',
    description:
      "Restores the duplicate's status and puts back the votes, subscribers and sources that moved. 409 when it was undone already, or when either candidate changed after the merge.",
    response: { status: 200, description: 'The merge, undone', type: MergeResponse },
    problems: {
      403: [],
      404: ['FEEDBACK.MERGE_NOT_FOUND'],
      409: ['FEEDBACK.MERGE_ALREADY_UNDONE', 'FEEDBACK.MERGE_UNDO_STALE'],
    },
    uuidParams: ['mergeId'],
  })
  undo(
    @CurrentUser() user: AuthenticatedUser,
    @Param('mergeId', ParseUUIDPipe) mergeId: string,
  ): Promise<MergeView> {
    return this.merges.undo(user, mergeId);
  }

  @Get('candidates/:id/merges')
  @ApiOperationDoc({
    summary: "A candidate's merges",
    description:
      'Merges into and out of the candidate with their provenance: who, when, and each vote and subscription that moved.',
    response: { status: 200, description: 'The merges', type: MergesResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<MergesView> {
    return this.merges.list(user, id);
  }
}
