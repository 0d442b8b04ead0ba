import { Body, Controller, Get, Param, ParseUUIDPipe, Patch, Post, Query } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiProblems } from '../common/openapi.js';
import { GOVERN_ROLES } from '../common/roles.js';
import { DecisionsService } from '../decisions/decisions.service.js';
import {
  EditRequirementDto,
  ListRequirementsQuery,
  PromoteCandidateDto,
  RequirementHistoryView,
  RequirementPageView,
  RequirementView,
  RetireRequirementDto,
  SupersedeRequirementDto,
  TraceView,
} from './dto/requirement.dto.js';
import { RequirementsService } from './requirements.service.js';

@ApiTags('requirements')
@ApiBearerAuth()
@Controller('api/v1/requirements')
export class RequirementsController {
  constructor(
    private readonly requirements: RequirementsService,
    private readonly decisions: DecisionsService,
  ) {}

  /** Promotes an accepted candidate of a hub the caller governs into an active requirement. */
  @Post()
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: RequirementView })
  @ApiProblems(
    [403, 'Not a governor of the hub'],
    [404, 'GOVERNANCE.CANDIDATE_NOT_FOUND'],
    [
      409,
      'GOVERNANCE.CANDIDATE_NOT_ACCEPTED (candidate_status names it) or GOVERNANCE.CANDIDATE_ALREADY_PROMOTED',
    ],
  )
  promote(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: PromoteCandidateDto,
  ): Promise<RequirementView> {
    return this.requirements.promote(user, body);
  }

  @Get()
  @ApiOkResponse({ type: RequirementPageView })
  @ApiProblems([400, 'REQUEST.INVALID_CURSOR'], [403, 'AUTH.HUB_ACCESS_DENIED'])
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListRequirementsQuery,
  ): Promise<RequirementPageView> {
    return this.requirements.list(user, query);
  }

  @Get(':id')
  @ApiOkResponse({ type: RequirementView })
  @ApiProblems([404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'])
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RequirementView> {
    return this.requirements.get(user, id);
  }

  /** Every change of the requirement, oldest first (the append-only audit). */
  @Get(':id/history')
  @ApiOkResponse({ type: RequirementHistoryView })
  @ApiProblems([404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'])
  history(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<RequirementHistoryView> {
    return this.requirements.history(user, id);
  }

  /** Candidate, sources, widget, decisions with supersessions, policies and work items. */
  @Get(':id/trace')
  @ApiOkResponse({ type: TraceView })
  @ApiProblems([404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'])
  trace(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<TraceView> {
    return this.decisions.trace(user, id);
  }

  @Patch(':id')
  @Roles(...GOVERN_ROLES)
  @ApiOkResponse({ type: RequirementView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'],
    [409, 'GOVERNANCE.REQUIREMENT_NOT_ACTIVE or GOVERNANCE.REQUIREMENT_VERSION_CONFLICT'],
  )
  edit(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EditRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.edit(user, id, body);
  }

  @Post(':id/supersede')
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: RequirementView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'],
    [409, 'GOVERNANCE.REQUIREMENT_NOT_ACTIVE'],
    [422, 'GOVERNANCE.INVALID_SUCCESSOR'],
  )
  supersede(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: SupersedeRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.supersede(user, id, body);
  }

  @Post(':id/retire')
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: RequirementView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [404, 'GOVERNANCE.REQUIREMENT_NOT_FOUND'],
    [409, 'GOVERNANCE.REQUIREMENT_NOT_ACTIVE'],
  )
  retire(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: RetireRequirementDto,
  ): Promise<RequirementView> {
    return this.requirements.retire(user, id, body);
  }
}
