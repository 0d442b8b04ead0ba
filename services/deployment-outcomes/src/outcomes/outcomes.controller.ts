import { Body, Controller, Get, Param, ParseUUIDPipe, Post, Query } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { EVALUATE_ROLES, SIGNAL_ROLES } from '../common/roles.js';
import {
  AddSignalDto,
  EvaluateDto,
  EvaluationView,
  FrictionQuery,
  FrictionView,
  OutcomeReportView,
  SignalListView,
  SignalView,
} from './dto/outcome.dto.js';
import { OutcomesService } from './outcomes.service.js';

@ApiTags('outcomes')
@Controller('api/v1')
export class OutcomesController {
  constructor(private readonly outcomes: OutcomesService) {}

  @Get('deployments/:id/outcome')
  @ApiOperationDoc({
    summary: "A deployment's outcome report",
    description:
      'Decision, requirement, affected widgets, before/after figures per widget (final once the after-window closed, else computed now and marked provisional), manual signals and the evaluation.',
    response: { status: 200, description: 'The report', type: OutcomeReportView },
    uuidParams: ['id'],
    problems: { 404: ['DEPLOYMENT.NOT_FOUND'] },
  })
  report(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<OutcomeReportView> {
    return this.outcomes.report(user, id);
  }

  @Get('deployments/:id/signals')
  @ApiOperationDoc({
    summary: "A deployment's signals",
    description:
      'Every stored signal (provisional, final, manual), oldest first. Signals are never edited.',
    response: { status: 200, description: 'The signals', type: SignalListView },
    uuidParams: ['id'],
    problems: { 404: ['DEPLOYMENT.NOT_FOUND'] },
  })
  async signals(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<SignalListView> {
    return { items: await this.outcomes.signals(user, id) };
  }

  @Post('deployments/:id/signals')
  @Roles(...SIGNAL_ROLES)
  @ApiOperationDoc({
    summary: 'Add a signal',
    description:
      'A person or a tool adds its own observation (signal_type, value, observed_at). Append-only.',
    response: { status: 201, description: 'The signal', type: SignalView },
    body: true,
    uuidParams: ['id'],
    problems: {
      403: ['DEPLOYMENT.ROLE_REQUIRED'],
      404: ['DEPLOYMENT.NOT_FOUND'],
      422: ['DEPLOYMENT.WIDGET_NOT_AFFECTED'],
    },
  })
  addSignal(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: AddSignalDto,
  ): Promise<SignalView> {
    return this.outcomes.addSignal(user, id, body);
  }

  @Post('deployments/:id/evaluation')
  @Roles(...EVALUATE_ROLES)
  @ApiOperationDoc({
    summary: 'Evaluate a deployment',
    description:
      'The one human evaluation (score 1-5 and rationale) by a governor or reviewer of the hub; a second is 409.',
    response: { status: 201, description: 'The evaluation', type: EvaluationView },
    body: true,
    uuidParams: ['id'],
    problems: {
      403: ['DEPLOYMENT.ROLE_REQUIRED'],
      404: ['DEPLOYMENT.NOT_FOUND'],
      409: ['DEPLOYMENT.ALREADY_EVALUATED'],
    },
  })
  evaluate(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
    @Body() body: EvaluateDto,
  ): Promise<EvaluationView> {
    return this.outcomes.evaluate(user, id, body);
  }

  @Get('hubs/:hubId/friction')
  @ApiOperationDoc({
    summary: 'Friction per widget version',
    description:
      'Annotations per 1,000 views per widget, version and day over the last `days` (default 30), and the trend (second half against the first). Empty for hubs you are not a member of.',
    response: { status: 200, description: 'Friction', type: FrictionView },
    uuidParams: ['hubId'],
  })
  friction(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Query() q: FrictionQuery,
  ): Promise<FrictionView> {
    return this.outcomes.friction(user, hubId, q);
  }
}
