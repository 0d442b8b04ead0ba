import { Module } from '@nestjs/common';
import { AgentsConfig } from '../config/agents.config.js';
import { LANGUAGE_MODEL, LlmDraftsAgent } from '../llm/llm-drafts.agent.js';
import { OpenAiCompatibleModel } from '../llm/llm-provider.js';
import { ProposalsModule } from '../proposals/proposals.module.js';
import { BuiltinAgentHandlers } from './builtin-agents.handlers.js';
import { DuplicatesAgent } from './duplicates.agent.js';
import { GovernanceAgents } from './governance.agents.js';
import { ThreadAgents } from './thread.agents.js';

/**
 * The built-in agents (no model, no network) and, when configured, the language-model drafts,
 * run as consumers of other services' events.
 */
@Module({
  imports: [ProposalsModule],
  providers: [
    BuiltinAgentHandlers,
    DuplicatesAgent,
    ThreadAgents,
    GovernanceAgents,
    LlmDraftsAgent,
    {
      // Without AGENTS_LLM_BASE_URL only the built-in agents run.
      provide: LANGUAGE_MODEL,
      inject: [AgentsConfig],
      useFactory: (config: AgentsConfig) =>
        config.AGENTS_LLM_BASE_URL ? new OpenAiCompatibleModel(config) : null,
    },
  ],
})
export class AgentsModule {}
