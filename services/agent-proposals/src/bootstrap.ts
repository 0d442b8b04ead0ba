import { type Env, type OpenApiOptions, type ServiceBootstrapOptions } from '@ihf/platform';
import { AppModule, SERVICE_NAME } from './app.module.js';
import { type AgentsConfig } from './config/agents.config.js';

/** agent-proposals' default HTTP port (ARCHITECTURE.md). */
export const DEFAULT_PORT = 3005;

/** agent-proposals' OpenAPI document: its title, description and the tags of its operations. */
export const AGENTS_OPENAPI: OpenApiOptions = {
  title: 'IHF agent proposals',
  description:
    "Agents (built-in, a configured language model, or external clients with an identity agent token) propose summaries, requirement drafts, duplicate flags, policy flags and implementation proposals; the hub's reviewers accept, modify or reject each once. Nothing a proposal says acts before a person accepts it. Errors are `application/problem+json` with a stable `code`. The event contracts are at `/docs/asyncapi`.",
  serverUrl: `http://127.0.0.1:${DEFAULT_PORT}`,
  tags: [
    { name: 'proposals', description: 'Proposals: posted by agents, listed for review' },
    { name: 'reviews', description: "People's decisions on proposals" },
    { name: 'scorecards', description: 'How often each agent is accepted, and its calibration' },
    { name: 'asyncapi', description: 'The AsyncAPI 3 document of every event subject' },
  ],
};

/** What `bootstrapService` (main) and `createServiceApp` (tests) need to build the app. */
export function agentsAppOptions(config: AgentsConfig, env?: Env): ServiceBootstrapOptions {
  return {
    name: SERVICE_NAME,
    module: AppModule.forRoot(config),
    defaultPort: DEFAULT_PORT,
    env,
    openApi: AGENTS_OPENAPI,
  };
}
