import { Body, Controller, Get, HttpCode, Param, ParseUUIDPipe, Post } from '@nestjs/common';
import { ApiBearerAuth, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedUser, CurrentUser, Role, Roles } from '@ihf/auth';
import { AgentsService } from './agents.service.js';
import {
  type AgentClientView,
  CreateAgentClientDto,
  toAgentClientView,
} from './dto/agent-client.dto.js';

@ApiTags('agents')
@ApiBearerAuth()
@Roles(Role.Admin)
@Controller('api/v1/agents')
export class AgentsController {
  constructor(private readonly agents: AgentsService) {}

  /** Answers the client secret once: it is not stored. */
  @Post()
  async create(
    @Body() body: CreateAgentClientDto,
    @CurrentUser() admin: AuthenticatedUser,
  ): Promise<AgentClientView & { client_secret: string }> {
    const { client, secret } = await this.agents.create(
      { name: body.name, hubIds: body.hub_ids ?? [] },
      admin.id,
    );
    return { ...toAgentClientView(client), client_secret: secret };
  }

  @Get()
  async list(): Promise<{ items: AgentClientView[] }> {
    return { items: (await this.agents.list()).map(toAgentClientView) };
  }

  @Get(':id')
  async get(@Param('id', ParseUUIDPipe) id: string): Promise<AgentClientView> {
    return toAgentClientView(await this.agents.get(id));
  }

  @Post(':id/revoke')
  @HttpCode(200)
  async revoke(@Param('id', ParseUUIDPipe) id: string): Promise<AgentClientView> {
    return toAgentClientView(await this.agents.revoke(id));
  }
}
