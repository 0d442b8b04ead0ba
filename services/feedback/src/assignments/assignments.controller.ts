import { Body, Controller, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { TRIAGE_ROLES } from '../common/roles.js';
import { AssignmentsService } from './assignments.service.js';
import { AssignReviewerDto, type AssignmentView } from './dto/assignment.dto.js';
import { AssignmentResponse } from './dto/assignment.response.js';

@ApiTags('candidates')
@Controller('api/v1/candidates')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /** Assigns the candidate's reviewer, replacing the previous one (kept in the audit). */
  @Put(':id/reviewer')
  @Roles(...TRIAGE_ROLES)
  @ApiOperationDoc({
    summary: "Assign a candidate's reviewer",
    description:
      'Replaces the previous reviewer (kept in the audit). The reviewer must be an active reviewer member of the hub; a closed candidate cannot be reassigned.',
    response: { status: 200, description: 'The assignment', type: AssignmentResponse },
    body: true,
    problems: {
      403: [],
      404: ['FEEDBACK.CANDIDATE_NOT_FOUND'],
      409: ['FEEDBACK.CANDIDATE_CLOSED'],
      422: ['FEEDBACK.REVIEWER_NOT_ELIGIBLE', 'FEEDBACK.REVIEWER_DEACTIVATED'],
    },
    uuidParams: ['id'],
  })
  assign(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AssignReviewerDto,
  ): Promise<AssignmentView> {
    return this.assignments.assign(user, id, body.reviewer_id);
  }
}
