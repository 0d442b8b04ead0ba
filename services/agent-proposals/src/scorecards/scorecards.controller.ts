import { Controller, Get, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { READ_ROLES } from '../common/roles.js';
import { ScorecardListView, ScorecardsQuery, ScorecardView } from './dto/scorecard.dto.js';
import { ScorecardsService } from './scorecards.service.js';

@ApiTags('scorecards')
@Controller('api/v1/scorecards')
export class ScorecardsController {
  constructor(private readonly scorecards: ScorecardsService) {}

  @Get()
  @Roles(...READ_ROLES)
  @ApiOperationDoc({
    summary: 'Scorecards of the agents',
    description:
      "Per agent, model and kind in the caller's hubs: proposals, accepted / modified / rejected, and calibration (reliability per tenth of stated confidence, Brier score, expected calibration error).",
    response: { status: 200, description: 'The scorecards', type: ScorecardView, list: true },
    problems: { 403: ['AUTH.HUB_ACCESS_DENIED'] },
  })
  list(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: ScorecardsQuery,
  ): Promise<ScorecardListView> {
    return this.scorecards.list(user, query);
  }
}
