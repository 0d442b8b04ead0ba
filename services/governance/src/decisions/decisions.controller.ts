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
import { ApiExtraModels, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { ApiSuccessContent, jsonOf } from '../common/openapi.js';
import { GOVERN_ROLES } from '../common/roles.js';
import {
  DecisionDetailView,
  DecisionView,
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
  PolicyScopeView,
  RecordDecisionDto,
} from './dto/decision.dto.js';
import { DecisionsService } from './decisions.service.js';

/** Whether the client asked for the MADR record rather than JSON. */
const wantsMarkdown = (accept: string | undefined): boolean =>
  /(^|,)\s*text\/markdown\s*(;|,|$)/i.test(accept ?? '');

@ApiTags('decisions')
@Controller('api/v1')
export class DecisionsController {
  constructor(
    private readonly decisions: DecisionsService,
    private readonly workItems: WorkItemsService,
  ) {}

  /** Records a decision (never edited later; `supersedes_id` replaces an earlier one). */
  @Post('decisions')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Record a decision',
    description:
      'Records a decision on a requirement and/or a candidate of one hub the caller governs. Decisions are never edited: `supersedes_id` replaces an earlier one. Re-sending a request with the same client-chosen `id` returns the stored decision.',
    response: { status: 201, description: 'The decision', type: DecisionDetailView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      409: ['GOVERNANCE.DECISION_ALREADY_SUPERSEDED', 'GOVERNANCE.DECISION_ID_TAKEN'],
      422: ['GOVERNANCE.INVALID_DECISION_SUBJECT', 'GOVERNANCE.INVALID_SUPERSESSION'],
      503: ['GOVERNANCE.CANDIDATE_LOOKUP_UNAVAILABLE'],
    },
  })
  record(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: RecordDecisionDto,
  ): Promise<DecisionDetailView> {
    return this.decisions.record(user, body);
  }

  /** The decision log: filters, newest first, cursor-paginated. */
  @Get('decisions')
  @ApiOperationDoc({
    summary: 'Search the decision log',
    description:
      "Decisions of the caller's hubs matching the filters, newest first, keyset-paginated.",
    response: { status: 200, description: 'A page of decisions', type: DecisionView, page: true },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  log(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: DecisionLogQuery,
  ): Promise<DecisionPageView> {
    return this.decisions.log(user, query);
  }

  /** The filtered decision log as CSV (all pages, streamed; `limit` and `cursor` ignored). */
  @Get('decisions/export')
  @ApiSuccessContent(200, { 'text/csv': {} })
  @ApiOperationDoc({
    summary: 'Export the decision log as CSV',
    description:
      'The decisions matching the filters, all pages streamed as `text/csv` with a header row (`limit` and `cursor` are ignored).',
    response: { status: 200, description: 'CSV with a header row' },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  export(@CurrentUser() user: AuthenticatedUser, @Query() query: DecisionLogQuery): StreamableFile {
    return new StreamableFile(this.decisions.export(user, query), {
      type: 'text/csv; charset=utf-8',
      disposition: 'attachment; filename="decisions.csv"',
    });
  }

  /** One decision; with `Accept: text/markdown` its MADR record. */
  @Get('decisions/:id')
  @ApiExtraModels(DecisionDetailView)
  @ApiSuccessContent(200, { 'application/json': jsonOf(DecisionDetailView), 'text/markdown': {} })
  @ApiOperationDoc({
    summary: 'Get a decision',
    description:
      "One decision of the caller's hubs with its policy references and work items; with `Accept: text/markdown`, its MADR record.",
    response: {
      status: 200,
      description: 'The decision (JSON), or its MADR record for `Accept: text/markdown`',
    },
    problems: { 400: [], 404: ['GOVERNANCE.DECISION_NOT_FOUND'] },
    uuidParams: ['id'],
  })
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
  @ApiOperationDoc({
    summary: 'Cite a policy in a decision',
    description: 'Adds a policy scope (once per decision) with an optional constraint note.',
    response: { status: 201, description: 'The policy reference', type: PolicyReferenceView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.DECISION_NOT_FOUND'],
      409: ['GOVERNANCE.ALREADY_LINKED'],
    },
    uuidParams: ['id'],
  })
  addPolicyReference(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddPolicyReferenceDto,
  ): Promise<PolicyReferenceView> {
    return this.decisions.addPolicyReference(user, id, body);
  }

  @Post('decisions/:id/work-items')
  @Roles(...GOVERN_ROLES)
  @ApiOperationDoc({
    summary: 'Link a work item to a decision',
    description:
      "Links a tracker's work item (GitHub, GitLab, Jira, Linear, Azure Boards or a URL) that carries the decision out; its URL is built from the hub's tracker settings.",
    response: { status: 201, description: 'The linked work item', type: WorkItemView },
    body: true,
    problems: {
      403: ['GOVERNANCE.GOVERNOR_REQUIRED'],
      404: ['GOVERNANCE.DECISION_NOT_FOUND'],
      409: ['GOVERNANCE.ALREADY_LINKED'],
      422: ['GOVERNANCE.INVALID_WORK_ITEM_REF', 'GOVERNANCE.TRACKER_BASE_URL_MISSING'],
    },
    uuidParams: ['id'],
  })
  linkWorkItem(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: LinkWorkItemDto,
  ): Promise<WorkItemView> {
    return this.workItems.link(user, id, body.system, body.ref);
  }

  /** The policy scopes a hub's decisions cite. */
  @Get('hubs/:hubId/policy-scopes')
  @ApiOperationDoc({
    summary: "List a hub's policy scopes",
    description: "The policy scopes the hub's decisions cite, with how many references cite each.",
    response: { status: 200, description: 'The policy scopes', type: PolicyScopeView, list: true },
    problems: { 400: [], 403: ['AUTH.HUB_ACCESS_DENIED'] },
    uuidParams: ['hubId'],
  })
  scopes(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
  ): Promise<PolicyScopeListView> {
    return this.decisions.scopes(user, hubId);
  }
}
