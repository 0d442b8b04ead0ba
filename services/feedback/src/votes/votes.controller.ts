import { Controller, Delete, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { VotesResponse } from './dto/votes.response.js';
import { VotesService, type VotesView } from './votes.service.js';

@ApiTags('votes')
@Controller('api/v1/candidates/:id/votes')
export class VotesController {
  constructor(private readonly votes: VotesService) {}

  @Post()
  @ApiOperationDoc({
    summary: 'Vote for a candidate',
    description:
      "One vote per user: a second one answers 409 FEEDBACK.ALREADY_VOTED (withdraw it first). The voter follows the candidate from then on. A merged duplicate answers 409 FEEDBACK.CANDIDATE_MERGED with the kept candidate's id.",
    response: { status: 201, description: 'The votes after this one', type: VotesResponse },
    problems: {
      400: [],
      404: ['FEEDBACK.CANDIDATE_NOT_FOUND'],
      409: ['FEEDBACK.ALREADY_VOTED', 'FEEDBACK.CANDIDATE_MERGED'],
    },
    uuidParams: ['id'],
  })
  vote(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<VotesView> {
    return this.votes.vote(user, id);
  }

  @Delete('mine')
  @ApiOperationDoc({
    summary: 'Withdraw your vote',
    description: "Takes back the caller's vote (404 when there is none).",
    response: { status: 200, description: 'The votes after the withdrawal', type: VotesResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND', 'FEEDBACK.VOTE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  withdraw(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<VotesView> {
    return this.votes.withdraw(user, id);
  }

  @Get()
  @ApiOperationDoc({
    summary: "A candidate's votes",
    description: 'Votes of hub users and "me too" of end users, and whether the caller voted.',
    response: { status: 200, description: 'The votes', type: VotesResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<VotesView> {
    return this.votes.get(user, id);
  }
}
