import { Module } from '@nestjs/common';
import { ProposalsModule } from '../proposals/proposals.module.js';
import { BuiltinAgentHandlers } from './builtin-agents.handlers.js';
import { DuplicatesAgent } from './duplicates.agent.js';
import { GovernanceAgents } from './governance.agents.js';
import { ThreadAgents } from './thread.agents.js';

/** The built-in agents (no model, no network), run as consumers of other services' events. */
@Module({
  imports: [ProposalsModule],
  providers: [BuiltinAgentHandlers, DuplicatesAgent, ThreadAgents, GovernanceAgents],
})
export class AgentsModule {}
