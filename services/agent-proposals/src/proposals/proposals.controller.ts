import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query, Res } from '@nestjs/common';
import { ApiResponse, ApiTags } from '@nestjs/swagger';
import { type FastifyReply } from 'fastify';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { READ_ROLES, REVIEW_ROLES } from '../common/roles.js';
import {
  ListProposalsQuery,
  ProposalPageView,
  ProposalView,
  ReviewProposalDto,
  SubmitProposalDto,
} from './dto/proposal.dto.js';
import { ProposalsService } from './proposals.service.js';

@ApiTags('proposals')
@Controller('api/v1/proposals')
export class ProposalsController {
  constructor(private readonly proposals: ProposalsService) {}

  @Post()
  @Roles(Role.Agent)
  @ApiResponse({
    status: 200,
    description:
      'An identical proposal (hub, kind, sources, content, details) was already stored: that one',
    type: ProposalView,
  })
  @ApiOperationDoc({
    summary: 'Post a proposal (external agents)',
    description:
      "An agent client's proposal for a hub of its token (identity's client credentials grant, role agent). It waits for a person's review; a pending proposal of the same kind and sources is superseded by it. Details that the services acting on an accepted proposal would refuse are refused now (422, with the fields).",
    response: { status: 201, description: 'The stored proposal, pending', type: ProposalView },
    body: true,
    problems: {
      403: ['AGENTS.AGENT_TOKEN_REQUIRED', 'AUTH.HUB_ACCESS_DENIED'],
      422: ['AGENTS.PROPOSAL_DETAILS_INVALID'],
    },
  })
  async submit(
    @CurrentUser() agent: AuthenticatedUser,
    @Body() body: SubmitProposalDto,
    @Res({ passthrough: true }) reply: FastifyReply,
  ): Promise<ProposalView> {
    const { view, created } = await this.proposals.submit(agent, body);
    if (!created) void reply.status(200);
    return view;
  }

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperationDoc({
    summary: 'The review queue',
    description:
      "Proposals of the caller's hubs, oldest first: pending unless `status` says otherwise, filtered by hub, kind, confidence range, age and source widget; keyset-paginated.",
    response: { status: 200, description: 'A page of proposals', type: ProposalView, page: true },
    problems: { 400: ['REQUEST.INVALID_CURSOR'], 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ListProposalsQuery,
  ): Promise<ProposalPageView> {
    return this.proposals.list(user, query);
  }

  @Get(':id')
  @Roles(...READ_ROLES)
  @ApiOperationDoc({
    summary: 'Get a proposal',
    description: "One proposal of the caller's hubs, with its confidence dimensions and review.",
    response: { status: 200, description: 'The proposal', type: ProposalView },
    problems: { 400: [], 403: [], 404: ['AGENTS.PROPOSAL_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<ProposalView> {
    return this.proposals.get(user, id);
  }

  @Post(':id/review')
  @ApiTags('reviews')
  @Roles(...REVIEW_ROLES)
  @ApiOperationDoc({
    summary: 'Review a proposal',
    description:
      'Accept, reject or modify (accept with edited content or details, kept beside the original) a pending proposal of a hub the caller reviews. Exactly one review per proposal: a second one, or one of a superseded proposal, is 409. Accepting publishes `ihf.agents.proposal.accepted.v1`; every review publishes `ihf.agents.proposal.reviewed.v1`.',
    response: { status: 201, description: 'The reviewed proposal', type: ProposalView },
    body: true,
    problems: {
      403: ['AGENTS.REVIEWER_REQUIRED'],
      404: ['AGENTS.PROPOSAL_NOT_FOUND'],
      409: ['AGENTS.PROPOSAL_ALREADY_REVIEWED', 'AGENTS.PROPOSAL_SUPERSEDED'],
      422: ['AGENTS.PROPOSAL_DETAILS_INVALID', 'AGENTS.REVIEW_EDIT_INVALID'],
    },
    uuidParams: ['id'],
  })
  review(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: ReviewProposalDto,
  ): Promise<ProposalView> {
    return this.proposals.review(user, id, body);
  }
}
