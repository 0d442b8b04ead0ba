import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { GOVERN_ROLES } from '../common/roles.js';
import { DecisionsService } from '../decisions/decisions.service.js';
import {
  EditRequirementDto,
  ListRequirementsQuery,
  PromoteCandidateDto,
  RequirementPageView,
  RequirementHistoryView,
  RequirementView,
  RetireRequirementDto,
  SupersedeRequirementDto,
  TraceView,
} from './dto/requirement.dto.js';
import { RequirementsService } from './requirements.service.js';

@ApiTags('requirements')
@Controller('api/v1/requirements')
export class RequirementsController {
  constructor(
    private readonly requirements: RequirementsService,
    private readonly decisions: DecisionsService,
  ) {}

  /** Promotes an accepted candidate of a hub the caller governs into an active requirement. */
  @Post()
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Promote a candidate to a requirement',
    description:
      "Promotes an accepted requirement candidate of a hub the caller governs into an active requirement; title and description default to the candidate's. A refused candidate's status is in the problem's `candidate_status`.",
    response: { status: 201, description: 'The requirement', type: RequirementView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.CANDIDATE_NOT_FOUND'],
      409: ['GOVERNANCE.CANDIDATE_NOT_ACCEPTED', 'GOVERNANCE.CANDIDATE_ALREADY_PROMOTED'],
      422: ['GOVERNANCE.REQUIREMENT_TITLE_REQUIRED'],
      503: ['GOVERNANCE.CANDIDATE_LOOKUP_UNAVAILABLE'],
    },
  })
  promote(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: PromoteCandidateDto,
  ): Promise<RequirementView> {
    return this.requirements.promote(user, body);
  }

  @Get()
  @ApiOperationDoc({
    summary: 'List requirements',
    description:
      "Requirements of the caller's hubs, optionally of one hub or status, keyset-paginated.",
    response: {
      status: 200,
      description: 'A page of requirements',
      type: RequirementView,
      page: true,
    },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListRequirementsQuery,
  ): Promise<RequirementPageView> {
    return this.requirements.list(user, query);
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get a requirement',
    description: "One requirement of the caller's hubs.",
    response: { status: 200, description: 'The requirement', type: RequirementView },
    problems: { 400: [], 404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RequirementView> {
    return this.requirements.get(user, id);
  }

  /** Every change of the requirement, oldest first (the append-only audit). */
  @Get(':id/history')
  @ApiOperationDoc({
    summary: "A requirement's history",
    description: 'The requirement and every change of it, oldest first (the append-only audit).',
    response: {
      status: 200,
      description: 'The requirement and its changes',
      type: RequirementHistoryView,
    },
    problems: { 400: [], 404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RequirementHistoryView> {
    return this.requirements.history(user, id);
  }

  /** Candidate, sources, widget, decisions with supersessions, policies and work items. */
  @Get(':id/trace')
  @ApiOperationDoc({
    summary: "A requirement's trace",
    description:
      'Where the requirement comes from and what became of it: its candidate and sources, widget, decisions with their supersessions, policies, work items and work-item drafts.',
    response: { status: 200, description: 'The trace', type: TraceView },
    problems: { 400: [], 404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  trace(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<TraceView> {
    return this.decisions.trace(user, id);
  }

  @Patch(':id')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Edit a requirement',
    description:
      'Changes the title or description of an active requirement (kept in its history); with `expected_version`, refuses an edit based on an older version.',
    response: { status: 200, description: 'The requirement', type: RequirementView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'],
      409: ['GOVERNANCE.REQUIREMENT_NOT_ACTIVE', 'GOVERNANCE.REQUIREMENT_VERSION_CONFLICT'],
    },
    uuidParams: ['id'],
  })
  edit(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EditRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.edit(user, id, body);
  }

  @Post(':id/supersede')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Supersede a requirement',
    description:
      'Marks an active requirement as replaced by another active requirement of its hub.',
    response: { status: 201, description: 'The superseded requirement', type: RequirementView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'],
      409: ['GOVERNANCE.REQUIREMENT_NOT_ACTIVE'],
      422: ['GOVERNANCE.INVALID_SUCCESSOR'],
    },
    uuidParams: ['id'],
  })
  supersede(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SupersedeRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.supersede(user, id, body);
  }

  @Post(':id/retire')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Retire a requirement',
    description: 'Retires an active requirement (final: it can no longer change).',
    response: { status: 201, description: 'The retired requirement', type: RequirementView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.REQUIREMENT_NOT_FOUND'],
      409: ['GOVERNANCE.REQUIREMENT_NOT_ACTIVE'],
    },
    uuidParams: ['id'],
  })
  retire(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RetireRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.retire(user, id, body);
  }
}
