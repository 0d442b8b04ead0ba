import { Body, Controller, Get, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Roles } from '@ihf/auth';
import { ApiOperationDoc } from '@ihf/platform';
import { HOOK_ROLES, RECORD_ROLES } from '../common/roles.js';
import { DeploymentsService } from './deployments.service.js';
import { DeploymentHookDto, DeploymentView, RecordDeploymentDto } from './dto/deployment.dto.js';

const RECORD_PROBLEMS = {
  403: ['DEPLOYMENT.ROLE_REQUIRED'],
  422: ['DEPLOYMENT.LINEAGE_NOT_FOUND', 'DEPLOYMENT.SUBJECT_REQUIRED'],
} as const;

@ApiTags('deployments')
@Controller('api/v1')
export class DeploymentsController {
  constructor(private readonly deployments: DeploymentsService) {}

  @Post('hubs/:hubId/deployments')
  @Roles(...RECORD_ROLES)
  @ApiOperationDoc({
    summary: 'Record a deployment',
    description:
      'A governor records that a decision (named, or found through a work item governance linked to it) was deployed. The answer lists the affected widgets: from the lineage decision → requirement → candidate → source widget, and those named in the call. 422 names what was not found.',
    response: { status: 201, description: 'The deployment', type: DeploymentView },
    body: true,
    uuidParams: ['hubId'],
    problems: RECORD_PROBLEMS,
  })
  record(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: RecordDeploymentDto,
  ): Promise<DeploymentView> {
    return this.deployments.record(user, hubId, body);
  }

  @Post('hubs/:hubId/deployment-hook')
  @Roles(...HOOK_ROLES)
  @ApiOperationDoc({
    summary: "A pipeline's deployment hook",
    description:
      'A CI/CD pipeline with a hub-scoped `deployer` credential from identity (client credentials) records a deployment. Idempotent on `pipeline_run_id`: a retried call answers the first deployment. 422 names what was not found.',
    response: {
      status: 201,
      description: 'The deployment (the first one for a retried run)',
      type: DeploymentView,
    },
    body: true,
    uuidParams: ['hubId'],
    problems: RECORD_PROBLEMS,
  })
  hook(
    @CurrentUser() user: AuthenticatedUser,
    @Param('hubId', ParseUUIDPipe) hubId: string,
    @Body() body: DeploymentHookDto,
  ): Promise<DeploymentView> {
    return this.deployments.hook(user, hubId, body);
  }

  @Get('deployments/:id')
  @ApiOperationDoc({
    summary: 'Get a deployment',
    description: 'A deployment of one of your hubs with its affected widgets and windows.',
    response: { status: 200, description: 'The deployment', type: DeploymentView },
    uuidParams: ['id'],
    problems: { 404: ['DEPLOYMENT.NOT_FOUND'] },
  })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id', ParseUUIDPipe) id: string,
  ): Promise<DeploymentView> {
    return this.deployments.get(user, id);
  }
}
