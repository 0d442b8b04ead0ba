import { Controller, Delete, Get, HttpCode, Param, ParseUUIDPipe, Put } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { TRIAGE_ROLES } from '../common/roles.js';
import { SubscribersResponse, SubscriptionResponse } from './dto/subscription.response.js';
import {
  type SubscribersView,
  SubscriptionsService,
  type SubscriptionView,
} from './subscriptions.service.js';

@ApiTags('subscriptions')
@Controller('api/v1/candidates/:id/subscribers')
export class SubscriptionsController {
  constructor(private readonly subscriptions: SubscriptionsService) {}

  @Put('me')
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Follow a candidate',
    description:
      "Any member of the candidate's hub may follow it (idempotent). A merged duplicate answers 409 FEEDBACK.CANDIDATE_MERGED with the kept candidate's id.",
    response: { status: 200, description: 'Following', type: SubscriptionResponse },
    problems: {
      400: [],
      404: ['FEEDBACK.CANDIDATE_NOT_FOUND'],
      409: ['FEEDBACK.CANDIDATE_MERGED'],
    },
    uuidParams: ['id'],
  })
  subscribe(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionView> {
    return this.subscriptions.subscribe(user, id);
  }

  @Delete('me')
  @ApiOperationDoc({
    summary: 'Stop following a candidate',
    description: 'Idempotent: answers the same when the caller did not follow it.',
    response: { status: 200, description: 'Not following', type: SubscriptionResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  unsubscribe(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionView> {
    return this.subscriptions.unsubscribe(user, id);
  }

  @Get('me')
  @ApiOperationDoc({
    summary: 'Whether you follow a candidate',
    description: "The caller's subscription and the number of followers.",
    response: { status: 200, description: 'The subscription', type: SubscriptionResponse },
    problems: { 400: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  mine(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscriptionView> {
    return this.subscriptions.mine(user, id);
  }

  @Get()
  @Roles(...TRIAGE_ROLES)
  @ApiOperationDoc({
    summary: "A candidate's followers",
    description:
      'Who follows it and why (source reporter, member, voter), with the duplicate a follower came from by a merge; triagers only, since it names end users.',
    response: { status: 200, description: 'The followers', type: SubscribersResponse },
    problems: { 400: [], 403: [], 404: ['FEEDBACK.CANDIDATE_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SubscribersView> {
    return this.subscriptions.list(user, id);
  }
}
