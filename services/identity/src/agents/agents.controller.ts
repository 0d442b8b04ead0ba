import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiTags } from '@nestjs/swagger';
import { ApiOperationDoc } from '@ihf/platform';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { AgentsService } from './agents.service.js';
import {
  type AgentClientView,
  CreateAgentClientDto,
  toAgentClientView,
} from './dto/agent-client.dto.js';
import { AgentClientResponse, CreatedAgentClientResponse } from './dto/agent-client.response.js';

@ApiTags('agents')
@Roles(Role.Admin)
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Answers the client secret once: it is not stored. */
  @Post()
  @ApiOperationDoc({
    summary: 'Create an agent client',
    description:
      'A machine client (a proposal bot with role `agent`, or a CI/CD pipeline with role `deployer`, which must name its hubs) that gets access tokens with the client credentials grant. The secret is in this answer only. Admins only.',
    response: {
      status: 201,
      description: 'The client, with its secret',
      type: CreatedAgentClientResponse,
    },
    body: true,
    problems: { 403: [], 422: ['IDENTITY.DEPLOYER_NEEDS_HUBS'] },
  })
  async create(
    @Body() body: CreateAgentClientDto,
    @CurrentUser() admin: AuthenticatedUser,
  ): Promise<AgentClientView & { client_secret: string }> {
    const { client, secret } = await this.agents.create(
      { name: body.name, hubIds: body.hub_ids ?? [], role: body.role ?? 'agent' },
      admin.id,
    );
    return { ...toAgentClientView(client), client_secret: secret };
  }

  @Get()
  @ApiOperationDoc({
    summary: 'List agent clients',
    description: 'Every agent client, revoked ones included, without secrets. Admins only.',
    response: { status: 200, description: 'The clients', type: AgentClientResponse, list: true },
    problems: { 403: [] },
  })
  async list(): Promise<{ items: AgentClientView[] }> {
    return { items: (await this.agents.list()).map(toAgentClientView) };
  }

  @Get(':id')
  @ApiOperationDoc({
    summary: 'Get an agent client',
    description: 'One agent client, without its secret. Admins only.',
    response: { status: 200, description: 'The client', type: AgentClientResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.AGENT_CLIENT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<AgentClientView> {
    return toAgentClientView(await this.agents.get(id));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  @ApiOperationDoc({
    summary: 'Revoke an agent client',
    description:
      'Its secret stops working at once; tokens already issued run out. Idempotent. Admins only.',
    response: { status: 200, description: 'The revoked client', type: AgentClientResponse },
    problems: { 400: [], 403: [], 404: ['IDENTITY.AGENT_CLIENT_NOT_FOUND'] },
    uuidParams: ['id'],
  })
  async revoke(@Param('id', ParseUUIDPipe) id: string): Promise<AgentClientView> {
    return toAgentClientView(await this.agents.revoke(id));
  }
}
