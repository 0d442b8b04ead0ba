import { Body, Controller, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { TRIAGE_ROLES } from '../common/roles.js';
import { AssignmentsService } from './assignments.service.js';
import { AssignReviewerDto, type AssignmentView } from './dto/assignment.dto.js';

@ApiTags('candidates')
@ApiBearerAuth()
@Controller('api/v1/candidates')
export class AssignmentsController {
  constructor(private readonly assignments: AssignmentsService) {}

  /** Assigns the candidate's reviewer, replacing the previous one (kept in the audit). */
  @Put(':id/reviewer')
  @Roles(...TRIAGE_ROLES)
  assign(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AssignReviewerDto,
  ): Promise<AssignmentView> {
    return this.assignments.assign(user, id, body.reviewer_id);
  }
}
