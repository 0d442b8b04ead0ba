import {
  Body,
  Controller,
  Get,
  Headers,
  Param,
  ParseUUIDPipe,
  Post,
  Query,
  Res,
  StreamableFile,
} from '@nestjs/common';
import {
  ApiBearerAuth,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiProblems } from '../common/openapi.js';
import { GOVERN_ROLES } from '../common/roles.js';
import {
  DecisionDetailView,
  PolicyReferenceView,
  WorkItemView,
} from '../requirements/dto/requirement.dto.js';
import { WorkItemsService } from '../work-items/work-items.service.js';
import {
  AddPolicyReferenceDto,
  DecisionLogQuery,
  DecisionPageView,
  LinkWorkItemDto,
  PolicyScopeListView,
  RecordDecisionDto,
} from './dto/decision.dto.js';
import { DecisionsService } from './decisions.service.js';

/** Whether the client asked for the MADR record rather than JSON. */
const wantsMarkdown = (accept: string | undefined): boolean =>
  /(^|,)\s*text\/markdown\s*(;|,|$)/i.test(accept ?? '');

@ApiTags('decisions')
@ApiBearerAuth()
@Controller('api/v1')
export class DecisionsController {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly workItems: WorkItemsService,
  ) {}

  /** Records a decision (never edited later; `supersedes_id` replaces an earlier one). */
  @Post('decisions')
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: DecisionDetailView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [409, 'GOVERNANCE.DECISION_ALREADY_SUPERSEDED or GOVERNANCE.DECISION_ID_TAKEN'],
    [422, 'GOVERNANCE.INVALID_DECISION_SUBJECT or GOVERNANCE.INVALID_SUPERSESSION'],
  )
  record(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: RecordDecisionDto,
  ): Promise<DecisionDetailView> {
    return this.decisions.record(user, body);
  }

  /** The decision log: filters, newest first, cursor-paginated. */
  @Get('decisions')
  @ApiOkResponse({ type: DecisionPageView })
  @ApiProblems([400, 'REQUEST.INVALID_CURSOR'], [403, 'AUTH.HUB_ACCESS_DENIED'])
  log(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: DecisionLogQuery,
  ): Promise<DecisionPageView> {
    return this.decisions.log(user, query);
  }

  /** The filtered decision log as CSV (all pages, streamed; `limit` and `cursor` ignored). */
  @Get('decisions/export')
  @ApiProduces('text/csv')
  @ApiOkResponse({ description: 'CSV with a header row', content: { 'text/csv': {} } })
  @ApiProblems([403, 'AUTH.HUB_ACCESS_DENIED'])
  export(@CurrentUser() user: AuthenticatedUser, @Query() query: DecisionLogQuery): StreamableFile {
    return new StreamableFile(this.decisions.export(user, query), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="decisions.csv"',
    });
  }

  /** One decision; with `Accept: text/markdown` its MADR record. */
  @Get('decisions/:id')
  @ApiProduces('application/json', 'text/markdown')
  @ApiOkResponse({
    type: DecisionDetailView,
    description: 'JSON, or the MADR Markdown record for Accept: text/markdown',
  })
  @ApiProblems([404, 'GOVERNANCE.DECISION_NOT_FOUND'])
  async get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Headers('accept') accept: string | undefined,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<DecisionDetailView | string> {
    if (!wantsMarkdown(accept)) return this.decisions.get(user, id);
    const markdown = await this.decisions.markdown(user, id);
    void reply.type('text/markdown; charset=utf-8');
    return markdown;
  }

  @Post('decisions/:id/policy-references')
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: PolicyReferenceView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [404, 'GOVERNANCE.DECISION_NOT_FOUND'],
    [409, 'GOVERNANCE.ALREADY_LINKED'],
  )
  addPolicyReference(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddPolicyReferenceDto,
  ): Promise<PolicyReferenceView> {
    return this.decisions.addPolicyReference(user, id, body);
  }

  @Post('decisions/:id/work-items')
  @Roles(...GOVERN_ROLES)
  @ApiCreatedResponse({ type: WorkItemView })
  @ApiProblems(
    [403, 'GOVERNANCE.GOVERNOR_REQUIRED'],
    [404, 'GOVERNANCE.DECISION_NOT_FOUND'],
    [409, 'GOVERNANCE.ALREADY_LINKED'],
    [422, 'GOVERNANCE.INVALID_WORK_ITEM_REF or GOVERNANCE.TRACKER_BASE_URL_MISSING'],
  )
  linkWorkItem(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: LinkWorkItemDto,
  ): Promise<WorkItemView> {
    return this.workItems.link(user, id, body.system, body.ref);
  }

  /** The policy scopes a hub's decisions cite. */
  @Get('hubs/:hubId/policy-scopes')
  @ApiOkResponse({ type: PolicyScopeListView })
  @ApiProblems([403, 'AUTH.HUB_ACCESS_DENIED'])
  scopes(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<PolicyScopeListView> {
    return this.decisions.scopes(user, hubId);
  }
}
